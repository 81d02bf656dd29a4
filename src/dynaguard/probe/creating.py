"""Creating objects the run can remove, and finding their ids whatever the API answers.

An id comes from the create answer (a property), the `Location` header, the natural key
the client sent itself (`POST /licenses/ {"title": ...}` -> `/licenses/{title}/`,
confirmed by a read), or the list answer that shows the run's unique marker afterwards.
Before the first object of a resource stays, a trial delete proves someone in the run
can remove it (the creator, else a privileged identity): nothing is created that the
run cannot take away again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dynaguard.core.findings import JSON
from dynaguard.probe.evidence import Exchange
from dynaguard.probe.heuristics import norm
from dynaguard.probe.identities import Identity
from dynaguard.probe.resources import Obj, Resource, fill, find_id, is_list_answer, list_items

if TYPE_CHECKING:
    from dynaguard.probe.context import ProbeContext

# Refusals that mean "not this identity" (try another), not "gone".
REFUSED = (401, 403, 404, 405)


def _norm(name: str) -> str:
    return norm(name).replace("_", "")


def natural_key(res: Resource, payload: JSON) -> str | None:
    """The sent property named like the item's path parameter (`title` for `{title}`)."""
    if not isinstance(payload, dict) or not res.id_param:
        return None
    wanted = {_norm(res.id_param)}
    if _norm(res.id_param).endswith("id") and len(res.id_param) > 2:
        wanted.add(_norm(res.id_param)[:-2])  # {sku_id} <- "sku"
    for key, value in payload.items():
        if _norm(key) in wanted and isinstance(value, (str, int)) and not isinstance(value, bool):
            return str(value)
    return None


def _marker_values(payload: JSON) -> list[str]:
    """The marked strings the run sent (they find the new object in a list)."""
    if not isinstance(payload, dict):
        return []
    return [v for v in payload.values() if isinstance(v, str) and v.startswith("dgp-")]


async def discover_id(
    ctx: ProbeContext, res: Resource, ident: Identity, payload: JSON, *, ex: Exchange, path: str
) -> str | None:
    """The new object's id: answer, Location, confirmed natural key, or the list's marker."""
    answer = None if is_list_answer(ex.json) else ex.json
    oid = find_id(res, answer, ex.response_headers.get("location"))
    if oid is not None:
        return oid
    sent = natural_key(res, payload)
    if sent is not None and res.read is not None and res.item is not None:
        values = {**_parents(res, path), res.id_param or "id": sent}
        check = await ctx.send(ident, res.read, fill(res.item, values))
        if check.ok:
            return sent
    if res.list_op is not None:
        markers = _marker_values(payload)
        listing = await ctx.send(ident, res.list_op, path)
        for item in list_items(listing.json) if listing.ok else []:
            if isinstance(item, dict) and any(m in str(item.values()) for m in markers):
                found = find_id(res, item)
                if found is None and sent is not None:
                    found = sent
                return found
    return sent if sent is not None and res.read is None else None


def _parents(res: Resource, path: str) -> dict[str, str]:
    """Parent path values of a concrete collection path (`/projects/p1/tasks` -> p1)."""
    out: dict[str, str] = {}
    for tmpl, real in zip(res.collection.split("/"), path.split("/"), strict=False):
        if tmpl.startswith("{") and tmpl.endswith("}"):
            out[tmpl[1:-1]] = real
    return out


def deleters(ctx: ProbeContext, obj: Obj) -> list[Identity]:
    """Who to ask to delete an object: the learned deleter, the owner, privileged, others."""
    learned = obj.resource.deleter
    names = [learned] if learned else []
    names.append(obj.owner)
    names += [i.name for i in ctx.identities if i.privileged]
    names += [i.name for i in ctx.identities]
    return [ctx.identity(n) for n in dict.fromkeys(names) if n and n != "anonymous"]


async def trial_delete(ctx: ProbeContext, obj: Obj) -> bool:
    """Delete the resource's first object at once: who can remove it decides what follows."""
    res = obj.resource
    assert res.delete is not None
    for ident in deleters(ctx, obj):
        ex = await ctx.send(ident, res.delete, obj.path)
        if ex.ok:
            obj.deleted = True
            res.deleter = ident.name
            res.removable = True
            if ident.name != obj.owner and ident.privileged and res.creator is None:
                # Create only what can be removed: from now on the role creates here.
                res.creator, res.role_deletes = ident.name, True
                ctx.notes.append(
                    f"only {ident.name} ({ident.role}) could delete {res.delete.route}: the run "
                    f"creates there as {ident.name} and removes as {ident.name}"
                )
            elif ident.name != obj.owner:
                ctx.notes.append(
                    f"only {ident.name} could delete {res.delete.route}: the objects the run "
                    f"creates there are removed as {ident.name}"
                )
            return True
        if ex.status not in REFUSED:
            break
    res.removable = False
    ctx.notes.append(
        f"no identity could delete {obj.path} ({res.delete.route}): the run created that one "
        "object and creates no more there; give an identity with the role that may delete "
        "(--identity 'NAME[admin]=...')"
    )
    return False


def refuse_reason(res: Resource) -> str | None:
    """Why the run must not create in this resource (None: it may)."""
    if res.create is None or res.item is None:
        return "no create operation"
    if res.delete is None:
        return (
            "the API has no DELETE for what it would create; the run creates only what it removes"
        )
    if res.removable is False:
        return "no identity given can delete what it creates"
    return None
