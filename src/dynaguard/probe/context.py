"""What a probe sees: the client, the identities, the resources and the objects of the run."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from dynaguard.core.findings import JSON, Confidence, Finding
from dynaguard.core.registry import get_rule
from dynaguard.probe.accounts import CredentialsOp
from dynaguard.probe.bodies import body_for, synthesize
from dynaguard.probe.client import SAFE_METHODS, ScopedClient
from dynaguard.probe.errors import IdentityBroken, SafetyError
from dynaguard.probe.evidence import Exchange, evidence
from dynaguard.probe.heuristics import norm
from dynaguard.probe.identities import ANONYMOUS, Identity
from dynaguard.probe.resources import (
    Obj,
    Resource,
    confirm,
    fill,
    is_list_answer,
    list_items,
    owner_key,
    safe_id,
)
from dynaguard.probe.spec import Operation, Spec


@dataclass(slots=True, kw_only=True)
class ProbeContext:
    """Shared state of one run; probes read it and add objects through it."""

    client: ScopedClient
    spec: Spec
    resources: list[Resource]
    identities: list[Identity]
    exclude: list[str] = field(default_factory=list)
    objects: list[Obj] = field(default_factory=list)
    owner_values: dict[str, str] = field(default_factory=dict)
    # Each identity's own identifiers: token claims and its `/me`-like answers (whoami).
    known: dict[str, dict[str, str]] = field(default_factory=dict)
    canary: Operation | None = None
    notes: list[str] = field(default_factory=list)
    # Login and registration operations, once classified (accounts.classify).
    credentials: tuple[list[CredentialsOp], list[CredentialsOp]] | None = None
    # Accounts the run registered: (identity, delete operation, path), removed at cleanup.
    accounts: list[tuple[Identity, Operation, str]] = field(default_factory=list)
    cleaning: bool = False  # the cleanup's own writes are not re-checked
    # The write that broke an identity (every later write refused); None while all is well.
    broken: str | None = None
    # Operations not exercised, and why (reported in the stats and the text report).
    skipped: dict[str, str] = field(default_factory=dict)
    # Objects created that the run cannot remove (reported by path; the run is incomplete).
    leftovers: list[str] = field(default_factory=list)
    _markers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def active(self) -> bool:
        """Whether state-changing probes may run (--active)."""
        return self.client.active

    @property
    def owner(self) -> Identity | None:
        """The first identity: owns the objects the attacker goes after."""
        return self.identities[0] if self.identities else None

    @property
    def attacker(self) -> Identity | None:
        """The second identity: tries to reach the owner's objects."""
        return self.identities[1] if len(self.identities) > 1 else None

    @property
    def anonymous(self) -> Identity:
        """The identity with no credentials."""
        return ANONYMOUS

    def identity(self, name: str) -> Identity:
        """An identity by name (the anonymous one included)."""
        return next((i for i in self.identities if i.name == name), ANONYMOUS)

    def marker(self, identity: Identity) -> str:
        """A unique string to recognise data this identity wrote."""
        return f"dgp-{identity.name}-{next(self._markers)}"

    def objects_of(self, identity: Identity, res: Resource | None = None) -> list[Obj]:
        """Live objects that belong to an identity, created ones first."""
        objs = [
            o
            for o in self.objects
            if o.owner == identity.name and not o.deleted and (res is None or o.resource is res)
        ]
        return sorted(objs, key=lambda o: not o.created)

    def query_for(self, op: Operation, identity: Identity) -> dict[str, str]:
        """Values for the operation's required query parameters."""
        out: dict[str, str] = {}
        for p in op.params:
            if p.location == "query" and p.required:
                out[p.name] = str(synthesize(p.schema, self.marker(identity), p.name))
        return out

    async def send(
        self,
        identity: Identity,
        op: Operation,
        path: str,
        *,
        body: JSON | None = None,
        headers: dict[str, str] | None = None,
        create: bool = False,
    ) -> Exchange:
        """Send an operation on a concrete path (query parameters filled in).

        After a state-changing request (outside the cleanup), every identity must still
        read its own data: a write never breaks an account without the run stopping.
        """
        if self.broken and op.method not in SAFE_METHODS and not self.cleaning:
            raise SafetyError(f"{op.method} {path} not sent: writes stopped ({self.broken})")
        ex = await self.client.send(
            identity,
            op.method,
            path,
            route=op.route,
            body=body,
            headers=headers,
            query=self.query_for(op, identity),
            create=create,
        )
        if ex.status == 428 and op.method not in SAFE_METHODS and not _if_match_in(headers):
            # RFC 6585 428: the API requires a conditional write (as the guard's
            # require_if_match does); send it again with the ETag a fresh read gives.
            tag = if_match(await self._fresh_read(identity, op, path))
            if tag:
                ex = await self.client.send(
                    identity,
                    op.method,
                    path,
                    route=op.route,
                    body=body,
                    headers={**(headers or {}), **tag},
                    query=self.query_for(op, identity),
                    create=create,
                )
        if op.method not in SAFE_METHODS and not self.cleaning:
            await self.recheck(ex)
        return ex

    async def _fresh_read(self, identity: Identity, op: Operation, path: str) -> Exchange | None:
        """The identity's GET of the same object path, when the spec has one."""
        read = next(
            (o for o in self.spec.operations if o.method == "GET" and o.path == op.path), None
        )
        if read is None:
            return None
        return await self.client.send(
            identity, "GET", path, route=read.route, query=self.query_for(read, identity)
        )

    def health(self, identity: Identity) -> tuple[Operation, str] | None:
        """The read that shows an identity still works: its own profile, else the canary."""
        for obj in self.objects:
            read = obj.resource.read
            mine = obj.owner == identity.name and (obj.resource.singleton or obj.profile)
            if mine and read is not None:
                return read, obj.path
        return (self.canary, self.canary.path) if self.canary is not None else None

    async def recheck(self, cause: Exchange) -> None:
        """The identities a write could touch read their own data; a refusal or 5xx stops writes.

        Touched: the identity that sent it, and the owner of the object it went to (a
        write on alice's object by bob can break alice); the others' data was not
        written, so they are not asked (half the requests on the demo).
        """
        path = cause.url.split("?", 1)[0]
        touched = {cause.identity} | {
            o.owner for o in self.objects if path.endswith(o.path.rstrip("/")) or o.path in path
        }
        for ident in self.identities:
            if ident.name not in touched:
                continue
            target = self.health(ident)
            if target is None:
                continue
            op, path = target
            ex = await self.client.send(
                ident, op.method, path, route=op.route, query=self.query_for(op, ident)
            )
            if ex.ok and not ex.error:
                continue
            why = ex.error or f"HTTP {ex.status}"
            self.broken = (
                f"identity {ident.name} stopped working after {cause.method} {cause.url} "
                f"(sent as {cause.identity}, answered {cause.status}): {op.route} now "
                f"answers {why}; writes stopped, the cleanup restores what it can"
            )
            raise IdentityBroken(self.broken)

    async def read(self, obj: Obj, identity: Identity) -> Exchange | None:
        """GET the object as `identity` (None when the resource has no read)."""
        op = obj.resource.read
        if op is None:
            return None
        ex = await self.send(identity, op, obj.path)
        if ex.ok:
            confirm(obj)
        return ex

    def body(self, op: Operation, identity: Identity, **extra: JSON) -> JSON:
        """A valid body for the operation, marked as `identity`'s, with extra properties."""
        value = body_for(op.body_schema or {"type": "object"}, self.marker(identity))
        if isinstance(value, dict):
            value.update(extra)
        return value

    def parent_values(self, res: Resource, identity: Identity) -> dict[str, str] | None:
        """Path values for a nested collection, from an object the identity owns; None if none."""
        if not res.collection_params():
            return {}
        if res.parent is None:
            return None
        parents = self.objects_of(identity, res.parent)
        return {**parents[0].params} if parents else None

    async def create(
        self, res: Resource, identity: Identity, body: JSON | None = None
    ) -> tuple[Obj | None, Exchange | None]:
        """POST a new object as `identity`; the object is owned by the run and deleted later.

        Only where the run can remove what it creates (see `creating`); the resource's
        first object is deleted at once as the trial, and a second one made in its place.
        """
        from dynaguard.probe import creating

        values = self.parent_values(res, identity)
        if res.create is None or res.item is None or values is None or self.broken:
            return None, None
        reason = creating.refuse_reason(res)
        if reason is not None:
            self.skipped.setdefault(res.create.route, reason)
            return None, None
        identity, values = self._maker(res, identity, values)
        obj, ex = await self._post(res, identity, values, body)
        if obj is None and ex.status in (401, 403) and not identity.privileged:
            # Only a role may create here (a catalogue): its objects are made by that role.
            boss = next((i for i in self.identities if i.privileged), None)
            if boss is not None and res.creator is None:
                res.creator = boss.name
                return await self.create(res, boss, body)
        if obj is not None and res.removable is None and not await creating.trial_delete(self, obj):
            return None, ex
        if obj is not None and obj.deleted:
            identity, values = self._maker(res, identity, values)
            obj, ex = await self._post(res, identity, values, body)
        return obj, ex

    def _maker(
        self, res: Resource, identity: Identity, values: dict[str, str]
    ) -> tuple[Identity, dict[str, str]]:
        """Who creates: the role, where the trial showed only the role may delete.

        Create only what can be removed: the role's objects are its own to remove, and
        DG212 then tries the ordinary identities on them. (The ordinary identity stays
        when the role has no parent object to create under; the role still removes it.)
        """
        if res.creator is None or not res.role_deletes or identity.privileged:
            return identity, values
        role = self.identity(res.creator)
        theirs = self.parent_values(res, role)
        return (identity, values) if theirs is None else (role, theirs)

    async def _post(
        self, res: Resource, identity: Identity, values: dict[str, str], body: JSON | None
    ) -> tuple[Obj | None, Exchange]:
        from dynaguard.probe import creating

        assert res.create is not None and res.item is not None
        payload = self.body(res.create, identity) if body is None else body
        path = fill(res.collection, values)
        ex = await self.send(identity, res.create, path, body=payload, create=True)
        if not ex.ok:
            return None, ex
        oid = await creating.discover_id(self, res, identity, payload, ex=ex, path=path)
        if oid is None:
            self.leftovers.append(
                f"{res.create.route} created an object whose id the run could not learn "
                "(not in the answer, no Location, no natural key, not in a list); "
                "it may be left in place"
            )
            res.removable = False
            return None, ex
        if not safe_id(oid):
            # `.`, `..` or `a/b` in a path would aim later writes at another resource.
            self.leftovers.append(
                f"{res.create.route} created an object whose id {oid[:80]!r} cannot be put "
                f"in a path safely; it was left in place"
            )
            res.removable = False
            return None, ex
        params = {**values, res.id_param or "id": oid}
        obj = Obj(
            resource=res,
            owner=identity.name,
            id=oid,
            path=fill(res.item, params),
            params=params,
            body=ex.json if isinstance(ex.json, dict) and not is_list_answer(ex.json) else payload,
            created=True,
            sent=payload,
        )
        self.client.own(obj.path)
        self.objects.append(obj)
        self.learn_owner(obj)
        return obj, ex

    def identifiers(self, name: str) -> set[str]:
        """Values that name an identity: its owner value, token subject, e-mail, username."""
        known = self.known.get(name, {})
        keys = {"sub", "username", "user_name", "login", "email", "user_id", "userid"}
        out = {v for k, v in known.items() if norm(k) in keys and len(v) > 2}
        value = self.owner_values.get(name)
        return out | ({value} if value else set())

    def observed(self, name: str) -> list[JSON]:
        """Values of a property the API showed in any successful answer (objects, lists)."""
        out: list[JSON] = []
        for ex in self.client.log:
            body = ex.json if ex.ok else None
            for obj in [body, *list_items(body)] if isinstance(body, (dict, list)) else []:
                if isinstance(obj, dict) and isinstance(obj.get(name), (str, int, bool)):
                    out.append(obj[name])
        return list({repr(v): v for v in out}.values())

    def creator(self, res: Resource) -> Identity | None:
        """Who creates in this resource: the owner, or the role that alone may create there."""
        return self.identity(res.creator) if res.creator else self.owner

    def learn_owner(self, obj: Obj) -> None:
        """Remember the identity's owner value from an object it created or listed."""
        key = owner_key(obj.body)
        if key is not None and isinstance(obj.body, dict):
            self.owner_values.setdefault(obj.owner, str(obj.body[key]))

    def owner_value(self, identity: Identity | None) -> str | None:
        """What the API stores as this identity's owner value, when learned."""
        return None if identity is None else self.owner_values.get(identity.name)

    def finding(
        self,
        rule: str,
        op: Operation,
        message: str,
        exchanges: list[Exchange],
        *,
        anchor: str = "",
        confidence: Confidence | None = None,
        **facts: JSON,
    ) -> Finding:
        """A finding of a registered probe on an operation, with its proof."""
        registered = get_rule(rule)
        if registered is None:
            raise KeyError(rule)
        return registered.meta.finding(
            message=message,
            anchor=anchor or op.route,
            route=op.route,
            evidence=evidence(*exchanges, **facts),
            confidence=confidence,
        )


def text_field(schema: JSON) -> str | None:
    """The first free-text property of an object schema (where a marker can go)."""
    from dynaguard.probe.heuristics import OWNER_NAMES, SERVER_FIELDS, norm

    props = schema.get("properties") if isinstance(schema, dict) else None
    for name, sub in (props or {}).items() if isinstance(props, dict) else []:
        if not isinstance(sub, dict) or norm(name) in {*OWNER_NAMES, *SERVER_FIELDS, "id"}:
            continue
        if name.lower().endswith("id") or {"enum", "format", "pattern", "const"} & sub.keys():
            continue
        kinds = sub.get("type")
        options = sub.get("anyOf")
        if kinds == "string" or (
            isinstance(options, list)
            and any(isinstance(o, dict) and o.get("type") == "string" for o in options)
        ):
            return name
    return None


def update_body(
    ctx: ProbeContext, op: Operation, identity: Identity, state: JSON, **extra: JSON
) -> tuple[JSON, str]:
    """An update built from a read state: declared properties kept, one text field marked."""
    marker = ctx.marker(identity)
    schema = op.body_schema or {}
    body = ctx.body(op, identity)
    props = schema.get("properties")
    if isinstance(body, dict) and isinstance(state, dict) and isinstance(props, dict):
        # Stale-state semantics: whatever the read showed (version included) goes back as is.
        body.update({k: v for k, v in state.items() if k in props})
    field_name = text_field(schema)
    if isinstance(body, dict):
        if field_name:
            body[field_name] = marker
        body.update(extra)
    return body, marker


def if_match(ex: Exchange | None) -> dict[str, str] | None:
    """An If-Match header with the ETag a read returned (APIs that require it answer 428)."""
    etag = ex.response_headers.get("etag") if ex is not None else None
    return {"If-Match": etag} if etag else None


def _if_match_in(headers: dict[str, str] | None) -> bool:
    return any(k.lower() == "if-match" for k in headers or {})


def shows(ex: Exchange | None, text: str) -> bool:
    """Whether a successful answer contains the text (a marker, an id, an owner value)."""
    return ex is not None and ex.ok and bool(text) and text in ex.response_body
