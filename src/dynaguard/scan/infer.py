"""Abstract types of expressions (DynamoDB handles, project class instances) and callees.

Queries are solved by the project's fixpoint solver (`fixpoint.Solver`): keyed by the
expression's position and the frame's call chain, cycles (cyclic assignments, recursive
factories) iterate to a stable type, and the solver's stack bound is the only depth bound.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

from dynaguard.scan.aliases import env_default, type_alias
from dynaguard.scan.appstate import assigned, is_state
from dynaguard.scan.authn_resolve import closure_dependency
from dynaguard.scan.calls import offloaded_call
from dynaguard.scan.constructed import constructed
from dynaguard.scan.fixpoint import Lattice, node_key
from dynaguard.scan.frames import Frame, bound_arg, is_marker
from dynaguard.scan.locals import ELEMENT
from dynaguard.scan.model import ClassRef, FunctionInfo, Handle, HandleKind
from dynaguard.scan.providers import Provided, provided_param, provider_calls
from dynaguard.scan.pynamo_index import index_owner, model_index
from dynaguard.scan.symbols import PROPERTIES, ModuleInfo, dotted, last_name
from dynaguard.scan.table_names import factory_table

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

Type = Handle | ClassRef
TYPES: Lattice[Type | None] = Lattice(bottom=None, cut=lambda: None)
LIBRARIES: Lattice[str] = Lattice(bottom="", cut=lambda: "")
ASYNC_LIBS = ("aioboto3", "aiobotocore", "aiodynamo")


def marker_alias(project: Project, expr: ast.expr, mod: ModuleInfo) -> bool:
    """Whether a default names a module-level FastAPI parameter marker (`= NoteId`, with
    `NoteId = Path(...)`)."""
    if not isinstance(expr, ast.Name):
        return False
    sym = project.resolve_name(expr.id, mod)
    if not isinstance(sym, tuple) or sym[0] not in project.modules:
        return False
    owner = project.modules[sym[0]]
    return any(is_marker(v, owner) for v in owner.globals.get(sym[1], []))


def is_param(frame: Frame, name: str) -> bool:
    """Whether `name` is a parameter of the frame's function."""
    return frame.fn is not None and any(a.arg == name for a in frame.fn.params)


def annotation_of(fn: FunctionInfo, name: str) -> ast.expr | None:
    """A parameter's annotation."""
    return next((a.annotation for a in fn.params if a.arg == name), None)


class Types:
    """Type queries over a project, solved by the project's fixpoint solver."""

    def __init__(self, project: Project) -> None:
        self.p = project
        self._providers: dict[str, list[Provided]] | None = None

    def providers(self) -> dict[str, list[Provided]]:
        """dependency-injector's provider calls, by what they call (providers.py)."""
        if self._providers is None:
            self._providers = provider_calls(self.p)
        return self._providers

    def of(self, expr: ast.expr, frame: Frame) -> Type | None:
        """The abstract type of `expr` evaluated in `frame` (None when unknown)."""
        if isinstance(expr, ast.BoolOp):  # `repo or Repository()`: an operand's known type
            found = (self.of(v, frame) for v in expr.values)
            return next((t for t in found if t is not None), None)
        if isinstance(expr, ast.Subscript) and expr.slice is ELEMENT:
            return self._element(expr.value, frame)  # `for review in Review.query(slug)`
        if not isinstance(expr, ast.Await | ast.Call | ast.Attribute | ast.Name):
            return None
        at = node_key(expr)
        if at is None:  # a node made up by a caller, not from a module: not memoised
            return self._of(expr, frame)
        key = ("type", frame.module.name, at, frame.key)
        return self.p.solver.solve(key, lambda: self._of(expr, frame), TYPES)

    def _of(self, expr: ast.expr, frame: Frame) -> Type | None:
        if isinstance(expr, ast.Await):
            return self.of(expr.value, frame)
        if isinstance(expr, ast.Call):
            return self._call(expr, frame)
        if isinstance(expr, ast.Attribute):
            return self._attribute(expr, frame)
        if isinstance(expr, ast.Name):
            return self._name(expr.id, frame)
        return None

    def _call(self, call: ast.Call, frame: Frame) -> Type | None:
        inner = offloaded_call(call, frame.module, self.p)  # `await to_thread(repo.get, id)`
        if inner is not None:
            return self.of(inner, frame)
        f = call.func
        if isinstance(f, ast.Attribute):
            made = self._factory(call, f, frame)
            if made is not None:
                return made
        elif dotted(f, frame.module) in BOTO3_FACTORIES and _service(call) == "dynamodb":
            # `from boto3 import resource`: resource("dynamodb")
            kind = BOTO3_FACTORIES[dotted(f, frame.module) or ""]
            return Handle(kind, None, False, False if kind is HandleKind.CLIENT else None)
        target = self.p.resolve_call_target(call, frame, self)
        if isinstance(target, ClassRef):
            cls = self.p.classes.get(target.qualname)
            if cls is not None and cls.is_pynamodb:
                return Handle(HandleKind.PYNAMODB_ITEM, cls.qualname)
            return target
        if isinstance(target, FunctionInfo):
            entered = frame.enter(target, call, self.p.module_of(target))
            found = self.returns(target, entered)
            if isinstance(found, Handle) and found.kind is HandleKind.TABLE and not found.table:
                return replace(found, table=factory_table(self.p, entered))  # `table("items")`
            return found
        return None

    def _factory(self, call: ast.Call, f: ast.Attribute, frame: Frame) -> Type | None:
        # boto3.resource("dynamodb"), session.client("dynamodb"), r.Table("x"), Model.get(k)
        if f.attr in ("resource", "client", "create_client") and _service(call) == "dynamodb":
            if f.attr == "resource":
                return Handle(HandleKind.RESOURCE, None, self._is_async_lib(f.value, frame))
            return Handle(HandleKind.CLIENT, None, self._is_async_lib(f.value, frame), False)
        if f.attr in ("__aenter__", "__enter__"):  # a context manager entered by hand
            return self.of(f.value, frame)
        if f.attr in ("enter_context", "enter_async_context") and len(call.args) == 1:
            # an (Async)ExitStack enters its argument and returns what entering it gives
            entered = self.of(call.args[0], frame)
            return entered if isinstance(entered, Handle) else None
        recv = self.of(f.value, frame)
        if not isinstance(recv, Handle):
            return None
        if f.attr == "Table" and recv.kind is HandleKind.RESOURCE:
            name = call.args[0] if call.args else None
            text = self.p.constant_text(name, frame) if name is not None else None
            table = text or env_default(name, frame, self.p)
            return Handle(HandleKind.TABLE, table, recv.async_capable)
        if f.attr == "batch_writer" and recv.kind in (HandleKind.TABLE, HandleKind.CLIENT):
            return Handle(HandleKind.BATCH_WRITER, recv.table, recv.async_capable)
        if f.attr in ("get", "safe_get") and recv.kind is HandleKind.PYNAMODB_MODEL:
            return Handle(HandleKind.PYNAMODB_ITEM, recv.table)
        return None

    def _element(self, iterated: ast.expr, frame: Frame) -> Type | None:
        """What iterating a PynamoDB model's (or index's) query or scan yields: its items."""
        f = iterated.func if isinstance(iterated, ast.Call) else None
        if not (isinstance(f, ast.Attribute) and f.attr in ("query", "scan", "batch_get")):
            return None
        recv = self.of(f.value, frame)
        if not (isinstance(recv, Handle) and recv.kind is HandleKind.PYNAMODB_MODEL):
            return None
        model = index_owner(self.p, recv.table or "") or recv.table
        return Handle(HandleKind.PYNAMODB_ITEM, model)

    def _is_async_lib(self, expr: ast.expr, frame: Frame) -> bool:
        lib = self.library(expr, frame)
        if lib:
            return lib in ASYNC_LIBS
        # `self.session.resource(...)`: untraced, so judge by what the module imports
        roots = {t.split(".")[0] for t in frame.module.imports.values()}
        return bool(roots & set(ASYNC_LIBS)) and "boto3" not in roots

    def library(self, expr: ast.expr, frame: Frame) -> str:
        """The top-level package an object comes from (`aioboto3.Session()` -> aioboto3)."""
        while isinstance(expr, ast.Call | ast.Attribute | ast.Await):
            expr = expr.func if isinstance(expr, ast.Call) else expr.value
        if not isinstance(expr, ast.Name):
            return ""
        name, at = expr, node_key(expr)
        if at is None:
            return self._library(name, frame)
        key = ("library", frame.module.name, at, frame.key)
        return self.p.solver.solve(key, lambda: self._library(name, frame), LIBRARIES)

    def _library(self, expr: ast.Name, frame: Frame) -> str:
        assigned = self.p.locals_of(frame).assigns.get(expr.id) if frame.fn else None
        if assigned:
            return self.library(assigned[0], frame)
        glob = frame.module.globals.get(expr.id)
        if glob:
            return self.library(glob[0], Frame(None, frame.module))
        return frame.module.imports.get(expr.id, "").split(".")[0]

    def _attribute(self, expr: ast.Attribute, frame: Frame) -> Type | None:
        if (
            expr.attr == "client"
            and isinstance(expr.value, ast.Attribute)
            and expr.value.attr == "meta"
        ):
            inner = self.of(expr.value.value, frame)
            if isinstance(inner, Handle) and inner.kind is HandleKind.TABLE:
                return Handle(HandleKind.CLIENT, inner.table, inner.async_capable, True)
        base = self.of(expr.value, frame)
        if isinstance(base, ClassRef):
            return self._instance_attr(base.qualname, expr.attr)
        if isinstance(base, Handle) and base.kind is HandleKind.PYNAMODB_MODEL:
            index = model_index(self.p, base.table or "", expr.attr)
            if index is not None:  # Model.by_owner.query(...): the index's own key names
                return Handle(HandleKind.PYNAMODB_MODEL, index)
        if is_state(expr):  # `request.app.state.ddb`: what the lifespan put there
            for where, value in assigned(self.p, expr.attr):
                if (t := self.of(value, where)) is not None:
                    return t
        sym = self.p.resolve_expr(expr, frame.module)
        return self._symbol(sym)

    def _instance_attr(self, cls_qual: str, attr: str) -> Type | None:
        prop = self.p.method(cls_qual, attr)  # `@property def table(self): return get_table()`
        if prop is not None and any(last_name(d) in PROPERTIES for d in prop.node.decorator_list):
            return self.returns(prop, Frame(prop, self.p.module_of(prop)))
        for cls in self.p.mro(cls_qual):
            for value in cls.init_attrs.get(attr, []):
                init = self.p.functions.get(cls.methods.get("__init__", ""))
                if init is None:
                    continue
                t = self.of(value, Frame(init, self.p.module_of(init)))
                if t is not None:
                    return t
            ann = cls.fields.get(attr)
            if ann is not None:
                t = self.of(ann, Frame(None, self.p.modules[cls.module]))
                if t is not None:
                    return t
                t = self._declared(cls.node, attr, self.p.modules[cls.module])
                if t is not None:  # `repo: ItemRepo = Depends(ItemRepo)` in a class-based view
                    return t
            for qual, value in cls.late_attrs.get(attr, []):
                method = self.p.functions.get(qual)
                if method is not None:
                    t = self.of(value, Frame(method, self.p.module_of(method)))
                    if t is not None:
                        return t
        made = (self.of(v, where) for v, where in constructed(self.p, cls_qual, attr))
        return next((t for t in made if t is not None), None)  # `Tables(orders=...)` fields

    def _declared(self, node: ast.ClassDef, attr: str, mod: ModuleInfo) -> Type | None:
        """The type a class body's annotation gives an attribute (`attr: Type = ...`)."""
        for stmt in node.body:
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and stmt.target.id == attr
            ):
                return self.annotation(stmt.annotation, mod)
        return None

    def _symbol(self, sym: object) -> Type | None:
        if isinstance(sym, ClassRef):
            cls = self.p.classes.get(sym.qualname)
            if cls is not None and cls.is_pynamodb:
                return Handle(HandleKind.PYNAMODB_MODEL, cls.qualname)
            # the index class itself (`EmailIndex.query`): its own key names, as for
            # `User.email_index` (queries.tables maps it back to the model's table)
            index = cls is not None and index_owner(self.p, sym.qualname) is not None
            return Handle(HandleKind.PYNAMODB_MODEL, sym.qualname) if index else None
        if isinstance(sym, tuple):  # (module, global name)
            mod = self.p.modules[sym[0]]
            for value in mod.globals.get(sym[1], []):
                t = self.of(value, Frame(None, mod))
                if t is not None:
                    return t
        return None

    def _name(self, name: str, frame: Frame) -> Type | None:
        fn = frame.fn
        if fn is not None:
            if fn.class_name and name in ("self", "cls") and is_param(frame, name):
                return ClassRef(f"{fn.module}:{fn.class_name}")
            for value in self.p.locals_of(frame).assigns.get(name, []):
                t = self.of(value, frame)
                if t is not None:
                    return t
            if is_param(frame, name):
                return self._param(name, frame)
        sym = self.p.resolve_name(name, frame.module)
        return self._symbol(sym)

    def _param(self, name: str, frame: Frame) -> Type | None:
        assert frame.fn is not None
        bound = bound_arg(frame, name)
        if bound is not None:
            t = self.of(bound[0], bound[1])
            if t is not None:
                return t
        fn = frame.fn
        dep = self.p.dependency_of(fn, name) or closure_dependency(
            self.p, fn, [fn.default_of(name), annotation_of(fn, name)]
        )
        if dep is not None:
            return self.returns(dep, Frame(dep, self.p.module_of(dep)))
        ann = annotation_of(frame.fn, name)
        found = self.annotation(ann, frame.module) if ann is not None else None
        return found or provided_param(
            self.p, self.providers(), frame.fn, name, engine=(self.of, self.returns)
        )

    def annotation(
        self, ann: ast.expr, mod: ModuleInfo, seen: frozenset[object] = frozenset()
    ) -> Type | None:
        """The type an annotation names (`ItemRepo`, `Table`, `Optional[X]`, `"X"`);
        `seen`: the aliases followed (`Tree = list["Tree"]` ends)."""
        if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
            try:
                ann = ast.parse(ann.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(ann, ast.Subscript):  # Optional[X], Annotated[X, ...]
            inner = ann.slice.elts[0] if isinstance(ann.slice, ast.Tuple) else ann.slice
            return self.annotation(inner, mod, seen)
        if isinstance(ann, ast.BinOp):  # X | None
            return self.annotation(ann.left, mod, seen)
        sym = self.p.resolve_expr(ann, mod)
        if isinstance(sym, ClassRef):
            cls = self.p.classes.get(sym.qualname)
            return (
                Handle(HandleKind.PYNAMODB_ITEM, sym.qualname) if cls and cls.is_pynamodb else sym
            )
        alias = type_alias(self.p, sym) if sym not in seen else None
        if alias is not None:  # `Books = Annotated[BookRepo, ...]`
            return self.annotation(alias[1], alias[0], seen | {sym})
        text = (dotted(ann, mod) or "").rsplit(".", 1)[-1]
        if text == "Table":
            return Handle(HandleKind.TABLE)
        if text in ("DynamoDBClient", "BaseClient"):
            return Handle(HandleKind.CLIENT)
        if text == "DynamoDBServiceResource":
            return Handle(HandleKind.RESOURCE)
        return None

    def returns(self, fn: FunctionInfo, frame: Frame) -> Type | None:
        """The type a function returns (its return statements, else its annotation).

        Cached per function, context-free: a factory's type rarely depends on its caller,
        and re-deriving it per call site costs more than the precision is worth.
        """
        key = ("returns", fn.qualname)
        return self.p.solver.solve(key, lambda: self._returns(fn, frame.module), TYPES)

    def _returns(self, fn: FunctionInfo, module: ModuleInfo) -> Type | None:
        own = Frame(fn, module)
        loc = self.p.locals_of(own)
        found: Type | None = None
        # generator dependencies: `yield table` / `async with ... as t: yield t`
        for value in [*loc.returns, *loc.yields]:
            found = self.of(value, own)
            if found is not None:
                break
        ann = fn.node.returns
        if found is None and ann is not None:
            found = self.annotation(ann, module)
        return found


BOTO3_FACTORIES = {"boto3.resource": HandleKind.RESOURCE, "boto3.client": HandleKind.CLIENT}


def _service(call: ast.Call) -> str | None:
    first: ast.expr | None = call.args[0] if call.args else None
    for kw in call.keywords:
        if kw.arg == "service_name":
            first = kw.value
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return None
