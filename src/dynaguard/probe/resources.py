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
    return sorted(out, key=lambda r: (r.collection.count("/"), r.collection))


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
    """The object's id from a create/list answer (a property, else the Location header)."""
    if isinstance(body, dict):
        folded = {norm(k).replace("_", ""): v for k, v in body.items()}
        for key in id_keys(res):
            value = folded.get(norm(key).replace("_", ""))
            if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
                return str(value)
    if location:
        last = urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1]
        return last or None
    return None


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
