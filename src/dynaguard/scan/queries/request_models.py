"""What a request model declares: its fields, and those it mints itself (DG105).

`model_fields` lists a Pydantic model's fields, nested models' as `outer.inner`, without
those `Field(exclude=True)` keeps out of a dump; `server_defaults` names the fields whose
default the server generates (`Field(default_factory=uuid4)`, `= datetime.now()`), which a
client may still send; `generates` tells a server-generated value (also a PynamoDB
attribute's `default=`); `pynamodb_defaults` the attributes a PynamoDB model fills in
itself; `managed_version` the VersionAttribute PynamoDB itself writes on a save or update.
"""

from __future__ import annotations

import ast

from dynaguard.scan.index import Project
from dynaguard.scan.model import ClassRef, DynamoCall, HandleKind
from dynaguard.scan.provenance import SERVER_GENERATORS, Origin, Source
from dynaguard.scan.symbols import ModuleInfo, last_name
from dynaguard.scan.walk import nodes

__all__ = [
    "generates",
    "managed_version",
    "model_fields",
    "none_by_default",
    "pynamodb_defaults",
    "server_defaults",
]


def model_fields(project: Project, qual: str, seen: frozenset[str] = frozenset()) -> list[str]:
    """A Pydantic model's field names, nested models' fields as `outer.inner` at any depth
    (`seen`, the models being expanded, stops a model that contains itself)."""
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
            inner = _model_of(project, stmt.annotation, mod)
            if inner is not None and inner not in seen and inner != qual:
                nested = model_fields(project, inner, seen | {qual})
                out += [f"{name}.{sub}" for sub in nested]
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
        return generates(value)
    kws = {k.arg: k.value for k in value.keywords}
    return any(generates(kws.get(k)) for k in ("default_factory", "default"))


def generates(expr: ast.expr | None) -> bool:
    """A server-generated value: `uuid4`, `lambda: uuid.uuid4().hex`, `datetime.now(...)`."""
    names = (
        (
            n.id if isinstance(n, ast.Name) else n.attr
            for n in nodes(expr)
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


def pynamodb_defaults(project: Project, model: str) -> tuple[set[str], set[str]]:
    """A PynamoDB model's attributes the server fills in: (generated: a VersionAttribute or
    a `default=utcnow`-like default; fixed: a constant `default=`)."""
    made: set[str] = set()
    fixed: set[str] = set()
    for cls in project.mro(model):
        if cls.version_attribute:
            made.add(cls.version_attribute)
        for name, value in cls.fields.items():
            if not isinstance(value, ast.Call):
                continue
            for kw in value.keywords:
                if kw.arg not in ("default", "default_for_new"):
                    continue
                if generates(kw.value):
                    made.add(name)
                elif isinstance(kw.value, ast.Constant) and kw.value.value is not None:
                    fixed.add(name)
    return made, fixed


def managed_version(project: Project, call: DynamoCall) -> str | None:
    """The VersionAttribute a PynamoDB item's `save()`/`update()` manages: PynamoDB puts
    the item's value in the condition (`version = :v`, or `attribute_not_exists` when
    unset) and writes that value + 1, so whatever the request sets there is only compared,
    never stored. `add_version_condition=False` drops the comparison: the value is then
    the request's, plus one."""
    if call.handle.kind is not HandleKind.PYNAMODB_ITEM or call.handle.table is None:
        return None
    off = [k for k in call.node.keywords if k.arg == "add_version_condition"]
    if off and not (isinstance(off[0].value, ast.Constant) and off[0].value.value is True):
        return None
    return next(
        (c.version_attribute for c in project.mro(call.handle.table) if c.version_attribute), None
    )


def none_by_default(project: Project, source: Source) -> bool:
    """A request body field the client may omit, left `None` (`x: str | None = None`,
    `Field(default=None, ...)`): the item gets no usable value from it."""
    if source.origin is not Origin.BODY or not source.model or len(source.path) != 1:
        return False
    for cls in project.mro(source.model):
        for stmt in cls.node.body:
            if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
                continue
            if stmt.target.id != source.path[0]:
                continue
            value = stmt.value
            if isinstance(value, ast.Call) and last_name(value) == "Field":
                kws = {k.arg: k.value for k in value.keywords}
                value = value.args[0] if value.args else kws.get("default")
            return isinstance(value, ast.Constant) and value.value is None
    return False


def allows_extra(project: Project, qual: str) -> bool:
    """A request model that keeps fields it does not declare (`model_config =
    ConfigDict(extra="allow")`, `{"extra": "allow"}`, pydantic v1's `class Config: extra =
    Extra.allow`): its dump carries whatever keys the client sent."""
    for cls in project.mro(qual):
        for stmt in cls.node.body:
            value = stmt.value if isinstance(stmt, ast.Assign | ast.AnnAssign) else None
            if value is not None and _extra_allowed(value):
                return True
            if isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
                inner = [s.value for s in stmt.body if isinstance(s, ast.Assign)]
                if any(_is_allow(v) for v in inner):
                    return True
    return False


def _extra_allowed(value: ast.expr) -> bool:
    if isinstance(value, ast.Call):
        return any(k.arg == "extra" and _is_allow(k.value) for k in value.keywords)
    if isinstance(value, ast.Dict):
        pairs = zip(value.keys, value.values, strict=True)
        return any(
            isinstance(k, ast.Constant) and k.value == "extra" and _is_allow(v) for k, v in pairs
        )
    return False


def _is_allow(value: ast.expr) -> bool:
    """ "allow", or `Extra.allow`."""
    if isinstance(value, ast.Constant):
        return value.value == "allow"
    return isinstance(value, ast.Attribute) and value.attr == "allow"
