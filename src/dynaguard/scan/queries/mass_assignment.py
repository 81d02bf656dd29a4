"""Server-controlled attributes a client sets: the facts DG105 judges.

Which attributes are the server's is decided by what the project does with them, names
only raising confidence: an attribute that an authorization dependency reads
(`if user["role"] != "admin": raise`), one the code sets itself elsewhere (a constant, a
server-generated or principal value, or from a route only administrators reach) when its
name says privilege (`role`, `is_verified`, `plan`...), and an id a request model mints with
`Field(default_factory=uuid4)` that the client may still send. Then a write is judged by how
the request reaches it: a whole model dumped (`Item=body.model_dump()`), fields copied one by
one (`"role": body.role`, `SET #p = :p` with `body.plan`), or the raw request body
(`Item=await request.json()`).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace

from dynaguard.scan.flow import item_value, key_value
from dynaguard.scan.frames import Site
from dynaguard.scan.index import Project
from dynaguard.scan.model import ClassRef, DynamoCall, HandleKind
from dynaguard.scan.provenance import REQUEST_ORIGINS, SERVER_GENERATORS, Dump, Origin, Value
from dynaguard.scan.queries.grants import granted_by
from dynaguard.scan.queries.updates import attribute_names, pynamodb_actions, update_clauses
from dynaguard.scan.symbols import ModuleInfo, last_name

__all__ = [
    "SERVER_FIELD",
    "ServerFields",
    "copied_fields",
    "dumped_fields",
    "model_fields",
    "raw_body",
    "server_fields",
    "table_of",
    "written_item",
]

SERVER_FIELD = re.compile(
    r"(?i)^(roles?|is_?admin|admin|is_?superuser|superuser|is_?staff|user_?type|account_?type"
    r"|permissions?|scopes?|groups?|owner|owner_?id|user_?id|tenant_?id|org_?id|account_?id"
    r"|id|pk|sk|version|created_?at|updated_?at|created_?by|balance|credits?|is_?verified"
    r"|email_?verified|is_?active|plan|tier)$"
)
PLACEHOLDER = re.compile(r":\w+")
MINTED = "minted by the request model, yet the client may send it"
WRITES = frozenset({"put_item", "update_item"})
FORBIDDEN = re.compile(r"^(403|HTTP_403\w*|forbidden)$", re.I)
SERVER_ORIGINS = frozenset({Origin.CONSTANT, Origin.SERVER, Origin.PRINCIPAL})
# the low-level client's typed attribute values: {"S": body.role} is body.role
TYPED = frozenset({"S", "N", "B", "BOOL", "SS", "NS", "BS", "L", "M", "NULL"})


@dataclass(frozen=True, slots=True)
class ServerFields:
    """Attributes the project treats as the server's, by behaviour."""

    authorization: frozenset[str]  # read by a dependency that lets only some roles through
    # (table, attribute) set elsewhere from no request value, or by an admin route
    server_set: frozenset[tuple[str | None, str]]

    def why(self, attribute: str, table: str | None = None) -> str | None:
        """Why an attribute is the server's (None: the client may set it)."""
        if attribute in self.authorization:
            return "read by an authorization check"
        if (table, attribute) in self.server_set and SERVER_FIELD.match(attribute):
            return "set by the server elsewhere"
        return None


def server_fields(project: Project) -> ServerFields:
    """What authorization reads and what the server sets itself, over the whole project."""
    authz: set[str] = set()
    forbidding: dict[str, set[str]] = {}  # per dependency: routes share their dependencies
    for route in project.routes:
        for dep in route.all_dependencies:
            fn = project.functions.get(dep.target or "")
            if fn is None:
                continue
            if route.privileged in (dep.name, dep.target):
                authz |= _keys_read([fn.node])
            if fn.qualname not in forbidding:  # `if not user["can_publish"]: 403`
                forbidding[fn.qualname] = _keys_read(_forbidding_tests(fn.node))
            authz |= forbidding[fn.qualname]
    server: set[tuple[str | None, str]] = set()
    for call in project.calls:
        if call.operation not in WRITES:
            continue
        for site in project.sites(call):
            admin = site.route is not None and site.route.privileged is not None
            for attr, value in written(project, call, site):
                if admin or (value.sources and value.origins() <= SERVER_ORIGINS):
                    server.add((table_of(project, call, site), attr))
    return ServerFields(frozenset(authz), frozenset(server))


def _forbidding_tests(fn: ast.AST) -> list[ast.AST]:
    """Tests of the `if`s that answer 403 (`raise HTTPException(status.HTTP_403_FORBIDDEN)`)."""
    out: list[ast.AST] = []
    for node in (n for n in ast.walk(fn) if isinstance(n, ast.If)):
        raised = [r.exc for s in node.body for r in ast.walk(s) if isinstance(r, ast.Raise)]
        words = {
            str(n.value) if isinstance(n, ast.Constant) else n.attr
            for e in raised
            if e is not None
            for n in ast.walk(e)
            if isinstance(n, ast.Constant | ast.Attribute)
        }
        if any(FORBIDDEN.search(w) for w in words):
            out.append(node.test)
    return out


def _keys_read(roots: list[ast.AST]) -> set[str]:
    """Keys read in comparisons and guards: `user["role"]`, `user.get("plan")`, `user.tier`."""
    out: set[str] = set()
    nodes = [n for root in roots for n in ast.walk(root)]
    tests = [n.test for n in nodes if isinstance(n, ast.If | ast.Assert)]
    tests += [n for n in nodes if isinstance(n, ast.Compare)]
    tests += [r for r in roots if isinstance(r, ast.expr)]
    for n in (n for t in tests for n in ast.walk(t)):
        if isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Constant):
            out.add(str(n.slice.value))
        elif isinstance(n, ast.Call) and last_name(n) == "get" and n.args:
            first = n.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                out.add(first.value)
        elif isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name | ast.Subscript):
            out.add(n.attr)
    return out


def written(project: Project, call: DynamoCall, site: Site) -> list[tuple[str, Value]]:
    """(attribute, value) a put or update writes, update placeholders resolved by its SET,
    a PynamoDB update's actions by the values they take (`Model.plan.set(body.plan)`)."""
    if call.operation == "update_item" and call.handle.kind is HandleKind.PYNAMODB_ITEM:
        return [
            (attr, project.values.of(v, site.frame))
            for _, attr, v in pynamodb_actions(project, call, site)
            if v is not None
        ]
    if call.operation == "update_item" and call.handle.kind is not HandleKind.PYNAMODB_ITEM:
        expr = call.args.get("UpdateExpression")
        text = project.values.text(expr, site.frame) if expr is not None else None
        values = project.values.arg(call, "ExpressionAttributeValues", site.frame)
        if text is None or values is None:
            return []
        names = attribute_names(project, call, site)
        out: list[tuple[str, Value]] = []
        for verb, parts in update_clauses(text):
            for part in parts if verb == "SET" else []:
                left, _, right = part.partition("=")
                attr = names.get(left.strip(), left.strip())
                for p in PLACEHOLDER.findall(right):
                    found = values.field(p)
                    out += [(attr, _untyped(found))] if found is not None else []
        return out
    item = written_item(project, call, site)
    return [(k, _untyped(v)) for k, v in item.fields or ()] if item is not None else []


def _untyped(value: Value) -> Value:
    """`{"S": body.role}` (the low-level client's typed value) is `body.role`."""
    if value.fields is not None and len(value.fields) == 1 and value.fields[0][0] in TYPED:
        return value.fields[0][1]
    return value


def table_of(project: Project, call: DynamoCall, site: Site) -> str | None:
    """The table a write goes to: its handle's, or the low-level client's `TableName=`."""
    if call.handle.table is not None:
        return call.handle.table
    name = call.args.get("TableName")
    return project.values.text(name, site.frame) if name is not None else None


def written_item(project: Project, call: DynamoCall, site: Site) -> Value | None:
    """The item a put writes. A PynamoDB item's `save()` writes every attribute set on it:
    `User(..., role=body.role)`, `user.plan = body.plan`, and a model dumped into it by
    `for k, v in body.model_dump().items(): setattr(user, k, v)`."""
    recv = call.node.func
    if call.handle.kind is not HandleKind.PYNAMODB_ITEM or not isinstance(recv, ast.Attribute):
        return item_value(project, call, site.frame)
    if call.operation != "put_item":
        return item_value(project, call, site.frame)
    item = project.values.of(recv.value, site.frame)
    fn = site.frame.fn
    if not isinstance(recv.value, ast.Name) or fn is None:
        return item
    dumps = list(item.dumps)
    for loop in (n for n in ast.walk(fn.node) if isinstance(n, ast.For)):
        it = loop.iter
        if not (
            isinstance(it, ast.Call)
            and isinstance(it.func, ast.Attribute)
            and it.func.attr == "items"
            and any(_sets_on(n, recv.value.id) for s in loop.body for n in ast.walk(s))
        ):
            continue
        dumps += [d for d in project.values.of(it.func.value, site.frame).dumps if d not in dumps]
    return replace(item, dumps=tuple(dumps))


def _sets_on(node: ast.AST, name: str) -> bool:
    """`setattr(name, key, value)`: any attribute of the item, from the loop."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "setattr"
        and len(node.args) == 3
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id == name
    )


def copied_fields(
    project: Project, call: DynamoCall, site: Site, facts: ServerFields
) -> list[tuple[str, str, str]]:
    """(attribute, request field, why) for server-controlled attributes copied from the
    request one by one (`"role": body.role`); none on a route only administrators reach."""
    if site.route is not None and site.route.privileged is not None:
        return []
    out: list[tuple[str, str, str]] = []
    for attr, value in written(project, call, site):
        body = sorted(
            (s for s in value.all_sources() if s.origin is Origin.BODY and s.path),
            key=lambda s: s.dotted,
        )
        why = facts.why(attr, table_of(project, call, site))  # same attribute, same table
        if (
            body
            and why is None
            and any(s.path[0] in server_defaults(project, s.model or "") for s in body)
        ):
            why = MINTED
        if body and why is not None and not value.origins() & {Origin.PRINCIPAL, Origin.SERVER}:
            out.append((attr, body[0].dotted, why))
    if out and granted_by(project, call, site) is not None:  # a member's role: the feature
        out = [c for c in out if c[2] == MINTED]
    return out


def raw_body(project: Project, call: DynamoCall, site: Site) -> str | None:
    """The raw request body written as the whole item (`Item=await request.json()`)."""
    if call.operation != "put_item":
        return None
    item = item_value(project, call, site.frame)
    if item is None or item.fields is not None or item.dumps:
        return None
    raw = [s for s in item.sources if s.origin is Origin.BODY and not s.path and not s.model]
    return raw[0].dotted if raw else None


def dumped_fields(project: Project, call: DynamoCall, site: Site, facts: ServerFields) -> list[str]:
    """Server-controlled fields of whole request models dumped into the write."""
    item = written_item(project, call, site)
    if item is None:
        return []
    keys = _update_keys(project, call, site)
    extra = {f.lower() for f in project.config.server_fields}
    found = {
        (f, f in server_defaults(project, d.model or ""))
        for d in _dumps(item)
        for f in _exposed(project, d, item, extra, facts)
        if f.split(".")[0] not in keys
    }
    if found and granted_by(project, call, site) is not None:  # a member's role: the feature
        found = {(f, minted) for f, minted in found if minted}
    return sorted({f for f, _ in found})


def _update_keys(project: Project, call: DynamoCall, site: Site) -> set[str]:
    # DynamoDB refuses to SET a key attribute ("This attribute is part of the key"), so a
    # dumped `id` that is also the update's Key is never written by it (DG106's business)
    if call.operation != "update_item" or call.handle.kind is HandleKind.PYNAMODB_ITEM:
        return set()
    key = key_value(project, call, site.frame)
    return set(key.keys()) if key is not None else set()


def _dumps(item: Value) -> list[Dump]:
    out = list(item.dumps)
    for _, v in item.fields or ():
        out += [d for d in v.dumps if d not in out]
    return out


def _exposed(
    project: Project, dump: Dump, item: Value, extra: set[str], facts: ServerFields
) -> list[str]:
    fields = model_fields(project, dump.model or "", 0)
    minted = server_defaults(project, dump.model or "")
    picked = [
        f
        for f in fields
        if SERVER_FIELD.match(f.split(".")[-1])
        or f.lower() in extra
        or f in minted
        or f.split(".")[0] in facts.authorization
    ]
    overwritten = {k for k, v in item.fields or () if not (v.origins() & REQUEST_ORIGINS)}
    return [
        f
        for f in picked
        if f.split(".")[0] not in dump.excluded
        and (dump.included is None or f.split(".")[0] in dump.included)
        and f.split(".")[0] not in overwritten
    ]


def model_fields(project: Project, qual: str, depth: int) -> list[str]:
    """A Pydantic model's field names, nested models' fields as `outer.inner`."""
    out: list[str] = []
    for cls in project.mro(qual):
        mod = project.modules[cls.module]
        for stmt in cls.node.body:
            if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
                continue
            name = stmt.target.id
            if name in out or name.startswith("_") or _excluded_field(stmt.value):
                continue
            out.append(name)
            inner = _model_of(project, stmt.annotation, mod) if depth < 2 else None
            if inner is not None:
                out += [f"{name}.{sub}" for sub in model_fields(project, inner, depth + 1)]
    return out


def server_defaults(project: Project, qual: str) -> set[str]:
    """Fields a model mints itself (`Field(default_factory=uuid4)`, `= Field(default=now())`)
    which the client may still send: the server meant to choose them."""
    out: set[str] = set()
    for cls in project.mro(qual):
        for stmt in cls.node.body:
            if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
                continue
            if _minted(stmt.value):
                out.add(stmt.target.id)
    return out


def _minted(value: ast.expr | None) -> bool:
    if not isinstance(value, ast.Call) or last_name(value) != "Field":
        return _generates(value)
    kws = {k.arg: k.value for k in value.keywords}
    return any(_generates(kws.get(k)) for k in ("default_factory", "default"))


def _generates(expr: ast.expr | None) -> bool:
    """`uuid4`, `lambda: uuid.uuid4().hex`, `datetime.now(...)`: a server-generated value."""
    names = (
        (
            n.id if isinstance(n, ast.Name) else n.attr
            for n in ast.walk(expr)
            if isinstance(n, ast.Name | ast.Attribute)
        )
        if expr is not None
        else ()
    )
    return any(n in SERVER_GENERATORS for n in names)


def _model_of(project: Project, ann: ast.expr, mod: ModuleInfo) -> str | None:
    if isinstance(ann, ast.Subscript):  # Optional[Settings], list[Address]
        inner = ann.slice.elts[0] if isinstance(ann.slice, ast.Tuple) else ann.slice
        return _model_of(project, inner, mod)
    if isinstance(ann, ast.BinOp):
        return _model_of(project, ann.left, mod)
    sym = project.resolve_expr(ann, mod)
    if isinstance(sym, ClassRef) and project.classes[sym.qualname].is_model:
        return sym.qualname
    return None


def _excluded_field(value: ast.expr | None) -> bool:
    # Field(exclude=True) never appears in model_dump()
    if not isinstance(value, ast.Call) or last_name(value) != "Field":
        return False
    return any(
        k.arg == "exclude" and isinstance(k.value, ast.Constant) and k.value.value is True
        for k in value.keywords
    )
