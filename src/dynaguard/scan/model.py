"""The facts the index holds: typed records that rules query instead of walking trees.

Every record keeps the `ast` node it was read from (for line/column and for the few rules
that need a shape the index does not pre-digest), but rules should prefer the fields.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from enum import Enum

from dynaguard.scan.fixpoint import CallKey, call_key


class HandleKind(Enum):
    """What a DynamoDB object is: it decides which methods exist and how values are typed."""

    RESOURCE = "resource"  # boto3/aioboto3 service resource: has .Table()
    TABLE = "table"  # boto3/aioboto3 Table resource: plain values, Key()/Attr() builders
    CLIENT = "client"  # low-level client (boto3, aioboto3, aiobotocore, table.meta.client)
    PYNAMODB_MODEL = "pynamodb-model"  # a PynamoDB Model class (get/query/scan)
    PYNAMODB_ITEM = "pynamodb-item"  # an instance of one (save/update/delete)
    BATCH_WRITER = "batch-writer"  # table.batch_writer(): puts/deletes cannot carry conditions
    TRANSACTION = "pynamodb-transaction"  # PynamoDB TransactWrite: each call one of its items
    UNKNOWN = "unknown"  # a DynamoDB-only method name on an object of unknown type


class ParamSource(Enum):
    """Where FastAPI takes a route or dependency parameter from."""

    PATH = "path"
    QUERY = "query"
    HEADER = "header"
    COOKIE = "cookie"
    BODY = "body"
    FORM = "form"
    REQUEST = "request"  # the Request object itself (request.json(), request.state)
    DEPENDENCY = "dependency"
    PRINCIPAL = "principal"  # a dependency result that is the authenticated caller
    OTHER = "other"


# Operations, normalised: PynamoDB save -> put_item, update -> update_item, ...
WRITE_OPS = frozenset(
    {"put_item", "update_item", "delete_item", "batch_write_item", "transact_write_items"}
)
READ_OPS = frozenset({"get_item", "query", "scan", "batch_get_item", "transact_get_items"})
KEYED_OPS = frozenset({"get_item", "update_item", "delete_item", "query"})


@dataclass(frozen=True, slots=True)
class Handle:
    """The abstract type of an expression that is a DynamoDB object."""

    kind: HandleKind
    table: str | None = None  # table name (or PynamoDB model qualname) when known
    async_capable: bool = False  # aioboto3/aiobotocore: methods must be awaited
    # a client's value shapes: True for a resource's `meta.client` (plain Python values, as
    # the resource), False for a low-level client (`{"S": ...}`); None when not known
    plain: bool | None = None


@dataclass(frozen=True, slots=True)
class ClassRef:
    """The abstract type of an expression that is an instance of a project class."""

    qualname: str


@dataclass(slots=True, eq=False)
class FunctionInfo:
    """A function or method defined in the project."""

    qualname: str  # "pkg.mod:Class.method" or "pkg.mod:func"
    module: str
    name: str
    class_name: str | None
    node: ast.FunctionDef | ast.AsyncFunctionDef
    path: str
    copy_of: str | None = None  # a router factory's endpoint as one call made it: the original

    @property
    def is_async(self) -> bool:
        """True for `async def`."""
        return isinstance(self.node, ast.AsyncFunctionDef)

    @property
    def params(self) -> list[ast.arg]:
        """Positional and keyword parameters in declaration order (self included)."""
        a = self.node.args
        return [*a.posonlyargs, *a.args, *a.kwonlyargs]

    def default_of(self, name: str) -> ast.expr | None:
        """The default value expression of a parameter, if any."""
        a = self.node.args
        positional = [*a.posonlyargs, *a.args]
        offset = len(positional) - len(a.defaults)
        for i, arg in enumerate(positional):
            if arg.arg == name and i >= offset:
                return a.defaults[i - offset]
        for arg, default in zip(a.kwonlyargs, a.kw_defaults, strict=True):
            if arg.arg == name:
                return default
        return None


@dataclass(slots=True, eq=False)
class ClassInfo:
    """A class defined in the project, with what the rules ask about it."""

    qualname: str
    module: str
    name: str
    node: ast.ClassDef
    path: str
    bases: tuple[str, ...]  # resolved dotted names where known, else as written
    methods: dict[str, str] = field(default_factory=dict)  # name -> function qualname
    init_attrs: dict[str, list[ast.expr]] = field(default_factory=dict)  # self.x = ... in __init__
    # self.x = ... in other methods, with the method's qualname (start-up hooks, setters)
    late_attrs: dict[str, list[tuple[str, ast.expr]]] = field(default_factory=dict)
    fields: dict[str, ast.expr | None] = field(default_factory=dict)  # annotated class attributes
    is_model: bool = False  # Pydantic BaseModel (or a subclass of one in the project)
    is_pynamodb: bool = False  # PynamoDB Model
    version_attribute: str | None = None  # PynamoDB VersionAttribute field name
    table_name: str | None = None  # PynamoDB Meta.table_name


Constant = str | int | bool
ConstArg = Constant | tuple[Constant, ...]  # a constant argument, or a list/tuple of them


@dataclass(frozen=True, slots=True)
class Dependency:
    """A `Depends(f)` / `Security(f)` at some level (route, router, include, app)."""

    target: str | None  # qualname of the dependency callable when resolved, else dotted text
    name: str  # as written (last component), for name-based auth recognition
    security: bool = False  # Security(...) or an OAuth2/HTTPBearer/APIKey scheme
    level: str = "route"  # route | router | include | app | param
    scopes: tuple[str, ...] = ()  # Security(..., scopes=[...]): the constant ones
    # Depends(Checker("admin")), Depends(require_role("admin")): the constant arguments
    # (position or keyword, value), which decide what the dependency compares against
    args: tuple[tuple[str, ConstArg], ...] = ()


@dataclass(slots=True, eq=False)
class RouteParam:
    """One parameter of a route function and where FastAPI takes it from."""

    name: str
    source: ParamSource
    model: str | None = None  # body model class qualname
    dependency: Dependency | None = None


@dataclass(slots=True, eq=False)
class Router:
    """A `FastAPI()` app or an `APIRouter()`."""

    qualname: str  # "pkg.mod:router"
    is_app: bool
    prefix: str
    dependencies: list[Dependency]
    path: str
    line: int
    middleware_auth: list[str] = field(default_factory=list)  # evidence, app only


@dataclass(slots=True, eq=False)
class Include:
    """`parent.include_router(child, prefix=..., dependencies=[...])`, or
    `parent.mount(prefix, child)` of a sub-application (`mounted`)."""

    parent: str
    child: str
    prefix: str
    dependencies: list[Dependency]
    mounted: bool = False  # a sub-app: the parent's own dependencies do not reach it
    # `include_router(crud_router("items", owner_field="owner"))`: the factory call that
    # made the child, and where it is written (module, top-level function scope or "")
    made: ast.Call | None = None
    made_in: tuple[str, str] = ("", "")


@dataclass(slots=True, eq=False)
class Route:
    """A path operation: methods, full paths, its function, parameters and auth."""

    methods: tuple[str, ...]
    path: str  # as declared on the decorator
    router: str | None
    function: str  # qualname of the endpoint
    params: list[RouteParam]
    dependencies: list[Dependency]  # route-level (decorator dependencies=[...])
    line: int
    file: str
    full_paths: list[str] = field(default_factory=list)
    all_dependencies: list[Dependency] = field(default_factory=list)  # every level
    authenticated: bool = False
    auth_evidence: str | None = None
    privileged: str | None = None  # the dependency that checks the caller's role, if any
    declared: ast.Call | None = None  # the decorator or add_api_route call (its keywords)

    @property
    def labels(self) -> list[str]:
        """`METHOD /full/path` for every method and mount point."""
        paths = self.full_paths or [self.path]
        return [f"{m} {p}" for p in paths for m in self.methods]

    @property
    def label(self) -> str:
        """The first label (the one findings carry)."""
        return self.labels[0]

    def param(self, name: str) -> RouteParam | None:
        """The parameter with this name."""
        return next((p for p in self.params if p.name == name), None)


@dataclass(slots=True, eq=False)
class DynamoCall:
    """One call of a DynamoDB operation, in any of the styles the index recognises."""

    function: str | None  # enclosing function qualname (None at module level)
    module: str
    path: str
    node: ast.Call
    method: str  # the method as written (put_item, save, Table, transact_write_items...)
    operation: str  # normalised operation (put_item/.../other method name)
    handle: Handle
    awaited: bool  # directly under `await`
    args: dict[str, ast.expr]  # keyword arguments by name (Key, Item, ConditionExpression...)
    positional: list[ast.expr]
    spread: list[ast.expr]  # `**kwargs` expressions whose keys are arguments too
    _key: CallKey | None = field(default=None, init=False, repr=False)

    @property
    def key(self) -> CallKey:
        """The call's stable identity (what an item read by it carries in `Source.call`)."""
        if self._key is None:
            self._key = call_key(self.node, self.module)
        return self._key

    @property
    def line(self) -> int:
        """First line of the call."""
        return self.node.lineno

    @property
    def end_line(self) -> int:
        """Last line of the call."""
        return self.node.end_lineno or self.node.lineno

    @property
    def is_write(self) -> bool:
        """A write operation."""
        return self.operation in WRITE_OPS

    @property
    def is_read(self) -> bool:
        """A read operation."""
        return self.operation in READ_OPS


@dataclass(slots=True, eq=False)
class CallSite:
    """A call from one project function to another (the call graph's edge)."""

    caller: str | None
    callee: str
    node: ast.Call
    awaited: bool
    offloaded: bool  # passed to asyncio.to_thread / run_in_threadpool / run_in_executor
    arg_offset: int = 0  # when offloaded: where the callee's own arguments start in `node`


@dataclass(slots=True, eq=False)
class ExceptionHandler:
    """`@app.exception_handler(X)` / `app.add_exception_handler(X, f)`."""

    function: str
    exception: str
    line: int


@dataclass(slots=True, eq=False)
class Middleware:
    """A middleware: an `@app.middleware("http")` function or a BaseHTTPMiddleware class."""

    function: str  # the function or the class's dispatch method qualname
    app: str | None
    is_auth: bool  # it verifies every request's credential and rejects the rest
    # Starlette's AuthenticationMiddleware: `function` is its backend's `authenticate`, which
    # identifies callers (rejecting no one); `@requires(...)` on an endpoint rejects. The
    # scopes it grants to every verified caller, and those it grants only under a test.
    granted: frozenset[str] | None = None
    conditional: frozenset[str] = frozenset()
