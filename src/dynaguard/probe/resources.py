"""Operations grouped into resources: a collection (`/things`) and its item (`/things/{id}`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from dynaguard.core.findings import JSON
from dynaguard.probe.errors import SafetyError
from dynaguard.probe.heuristics import OWNER_NAMES, norm
from dynaguard.probe.spec import Operation

_PARAM = re.compile(r"^\{([^{}/]+)\}$")
_LIST_KEYS = ("items", "data", "results", "records", "objects", "content", "list")


@dataclass(slots=True, kw_only=True)
class Resource:
    """A collection path, its item path, and the operations on each."""

    collection: str
    item: str | None = None
    id_param: str | None = None
    create: Operation | None = None
    list_op: Operation | None = None
    read: Operation | None = None
    replace: Operation | None = None
    patch: Operation | None = None
    delete: Operation | None = None
    parent: Resource | None = None
    # State-changing operations on one item: `POST /things/{id}/archive`, `PUT .../pin`.
    actions: list[Operation] = field(default_factory=list)
    # One object per identity at a fixed path (`/users/me`): no id, never created.
    singleton: bool = False
    # Learned by the first trial delete: who removes the run's objects, and whether anyone can.
    deleter: str | None = None
    removable: bool | None = None
    creator: str | None = None  # set when only a privileged identity may create here
    # Set when the trial showed only a privileged identity may delete here: it creates too.
    role_deletes: bool = False
    # Producer -> consumer links for the item's id (RESTler-style dependency inference):
    # JSON pointers that OpenAPI `links` name (`$response.body#/ref`), and answer fields
    # whose format matches the id parameter's (`{address}` <- a `format: email` field).
    id_pointers: list[str] = field(default_factory=list)
    id_format_fields: list[str] = field(default_factory=list)
    # How each id was found (link, name, format), until a read with it proves the link.
    pending: dict[str, str] = field(default_factory=dict)
    confirmed: set[str] = field(default_factory=set)

    @property
    def update(self) -> Operation | None:
        """The operation that changes an item: PATCH when declared, else PUT."""
        return self.patch or self.replace

    def collection_params(self) -> list[str]:
        """Path parameters of the collection (those a parent object supplies)."""
        return [m.group(1) for s in self.collection.split("/") if (m := _PARAM.match(s))]

    def name(self) -> str:
        """A singular-ish noun for the resource (`notes` -> `note`)."""
        last = [s for s in self.collection.split("/") if s and not _PARAM.match(s)]
        word = last[-1] if last else "item"
        return word[:-1] if word.endswith("s") and len(word) > 3 else word


@dataclass(slots=True, kw_only=True)
class Obj:
    """One object observed or created: who it belongs to, its id, its concrete path."""

    resource: Resource
    owner: str
    id: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    body: JSON = None
    created: bool = False
    deleted: bool = False
    original: JSON = None  # a singleton's state before the run, restored at the end
    sent: JSON = None  # the create body the run sent (its natural key, its markers)
    profile: bool = (
        False  # an identity's own user resource (`/users/alice`): restored, never deleted
    )


def safe_id(value: str) -> bool:
    """Whether a value can stand in a path segment without changing the path's shape."""
    return bool(value) and value not in (".", "..") and "/" not in value and "\\" not in value


def fill(template: str, values: dict[str, str]) -> str:
    """A concrete path: each {param} replaced by its percent-encoded value.

    `.`, `..` and values with `/` are refused (SafetyError): `/notes/..` is `/`, and a
    server that decodes `%2F` would route `a%2Fb` elsewhere.
    """

    def sub(m: re.Match[str]) -> str:
        value = values.get(m.group(1), "")
        if value and not safe_id(value):
            raise SafetyError(f"id {value[:80]!r} would change the path {template}; not sent")
        return quote(value, safe="")

    return re.sub(r"\{([^{}/]+)\}", sub, template)


def group(operations: list[Operation]) -> list[Resource]:
    """Resources from operations, parents before children; paths kept as the spec writes them.

    `/licenses/` and `/licenses/{title}/` are one resource: grouping ignores a trailing
    slash, but every request uses the path exactly as written (FastAPI answers 307 else).
    """
    by_path: dict[str, dict[str, Operation]] = {}
    for op in operations:
        by_path.setdefault(op.path.rstrip("/") or "/", {})[op.method] = op
    resources: dict[str, Resource] = {}
    for path, ops in by_path.items():
        segments = path.split("/")
        m = _PARAM.match(segments[-1])
        written = next(iter(ops.values())).path
        if m:
            coll = "/".join(segments[:-1]) or "/"
            res = resources.setdefault(coll, Resource(collection=coll))
            res.item, res.id_param = written, m.group(1)
            res.read, res.replace = ops.get("GET"), ops.get("PUT")
            res.patch, res.delete = ops.get("PATCH"), ops.get("DELETE")
        else:
            res = resources.setdefault(path, Resource(collection=path))
            res.collection = written
            res.create, res.list_op = ops.get("POST"), ops.get("GET")
            res.replace, res.patch = ops.get("PUT"), ops.get("PATCH")
    for res in resources.values():
        if (
            res.item is None
            and res.list_op
            and res.update
            and not res.create
            and "{" not in res.collection
        ):
            res.item, res.read, res.list_op, res.singleton = res.collection, res.list_op, None, True
    out = [r for r in resources.values() if r.item and (r.read or r.create or r.delete)]
    by_item = {(r.item or "").rstrip("/"): r for r in out}
    for path, ops in by_path.items():
        head, _, last = path.rpartition("/")
        owner = by_item.get(head)
        if owner is not None and not _PARAM.match(last) and path not in resources_with_items(out):
            owner.actions += [op for m, op in sorted(ops.items()) if m not in ("GET", "HEAD")]
    for r in out:
        r.parent = _parent(r, out)
        _infer_links(r, operations)
    return sorted(out, key=lambda r: (r.collection.count("/"), r.collection))


def _infer_links(res: Resource, operations: list[Operation]) -> None:
    """What feeds the item's id parameter: OpenAPI links first, then a matching format."""
    consumers = {op.route for op in (res.read, res.replace, res.patch, res.delete) if op}
    for op in operations:
        for link in op.links:
            if link.target not in consumers:
                continue
            for name, expr in link.parameters:
                pointer = expr.removeprefix("$response.body#")
                if name == res.id_param and pointer != expr and pointer not in res.id_pointers:
                    res.id_pointers.append(pointer)
    fmt = next(
        (
            p.schema.get("format")
            for op in (res.read, res.delete, res.update)
            for p in (op.path_params() if op else [])
            if p.name == res.id_param
        ),
        None,
    )
    if not isinstance(fmt, str):
        return
    for producer in (res.create, res.read, res.list_op):
        schema = producer.response_schema if producer else None
        for name, prop in _properties(schema).items():
            fits = isinstance(prop, dict) and prop.get("format") == fmt
            if fits and name not in res.id_format_fields:
                res.id_format_fields.append(name)


def _properties(schema: JSON) -> dict[str, JSON]:
    """An object schema's properties; a list's (or an envelope's) item properties."""
    if not isinstance(schema, dict):
        return {}
    props = schema.get("properties")
    out: dict[str, JSON] = {}
    for name, prop in props.items() if isinstance(props, dict) else ():
        nested = _properties(prop) if isinstance(prop, dict) and prop.get("type") == "array" else {}
        out.update(nested or {name: prop})
    return out or _properties(schema.get("items"))


def resources_with_items(resources: list[Resource]) -> set[str]:
    """Collection paths that are resources of their own (nested collections)."""
    return {r.collection.rstrip("/") for r in resources}


def _parent(res: Resource, all_res: list[Resource]) -> Resource | None:
    best: Resource | None = None
    for other in all_res:
        inside = other.item is not None and res.collection.startswith(other.item.rstrip("/") + "/")
        longer = best is None or len(other.item or "") > len(best.item or "")
        if other is not res and inside and longer:
            best = other
    return best


def id_keys(res: Resource) -> list[str]:
    """Property names that may hold the item's id, best first."""
    names = [res.id_param or "", "id", f"{res.name()}_id", f"{res.name()}id", "uuid", "key"]
    return [n for n in names if n]


def find_id(res: Resource, body: JSON, location: str | None = None) -> str | None:
    """The object's id from a create/list answer, and how it was found (kept in `pending`).

    An OpenAPI link's pointer first, then a property named like the id, then one with the
    id parameter's format, else the Location header.
    """
    found = _id_and_source(res, body, location)
    if found is None:
        return None
    res.pending[found[0]] = found[1]
    return found[0]


def _id_and_source(res: Resource, body: JSON, location: str | None) -> tuple[str, str] | None:
    if isinstance(body, dict):
        for pointer in res.id_pointers:
            value = _at(body, pointer)
            if _usable(value):
                return str(value), f"link $response.body#{pointer}"
        folded = {norm(k).replace("_", ""): v for k, v in body.items()}
        for key in id_keys(res):
            value = folded.get(norm(key).replace("_", ""))
            if _usable(value):
                return str(value), f"name {key}"
        for name in res.id_format_fields:
            if _usable(body.get(name)):
                return str(body[name]), f"format of {name}"
    if location:
        last = urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1]
        return (last, "Location header") if last else None
    return None


def _usable(value: JSON) -> bool:
    return isinstance(value, (str, int)) and not isinstance(value, bool) and str(value) != ""


def _at(body: JSON, pointer: str) -> JSON:
    """The value at a JSON pointer (`/data/ref`), or None."""
    node = body
    for raw in pointer.lstrip("/").split("/") if pointer.strip("/") else []:
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
    return node


def confirm(obj: Obj) -> None:
    """A read of the object succeeded: the link that gave its id is confirmed by traffic."""
    source = obj.resource.pending.pop(obj.id, None)
    if source is not None:
        obj.resource.confirmed.add(source)


def owner_key(body: JSON) -> str | None:
    """The property that names the object's owner, if the object has one."""
    if not isinstance(body, dict):
        return None
    folded = {norm(k): k for k in body}
    for name in OWNER_NAMES:
        key = folded.get(name)
        if key is not None and isinstance(body[key], (str, int)):
            return key
    return None


def list_items(body: JSON) -> list[JSON]:
    """The objects of a list answer, whatever its shape: decided by behaviour, not by key.

    A JSON array; or, in an object (an envelope such as `{"Invoices": [...], "count": 2,
    "next_cursor": ...}`), the property whose value is a list of objects -- the longest
    when there are several, nested envelopes (`{"data": {"items": [...]}}`) included.
    """
    if isinstance(body, list):
        return body
    best: list[JSON] = []
    for raw in body.values() if isinstance(body, dict) else []:
        value = list_items(raw) if isinstance(raw, dict) else raw
        if (
            isinstance(value, list)
            and value
            and all(isinstance(v, dict) for v in value)
            and len(value) > len(best)
        ):
            best = value
    return best


def is_list_answer(body: JSON) -> bool:
    """Whether an answer is a list (bare, or an envelope around one), not a single object."""
    if isinstance(body, list):
        return True
    if not isinstance(body, dict):
        return False
    return any(isinstance(v, list) and all(isinstance(i, dict) for i in v) for v in body.values())
