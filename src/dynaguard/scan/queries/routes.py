"""Route-level questions: how the steps of one request relate, and what a failed check
answers.

Rules DG109 and DG117 ask these; the answers read the linked model (the request's flow and
its frames) so that the rules never see a syntax tree.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from weakref import WeakKeyDictionary

from dynaguard.scan.flow import key_value
from dynaguard.scan.frames import Event, Frame
from dynaguard.scan.index import Project
from dynaguard.scan.model import ClassRef, FunctionInfo, HandleKind
from dynaguard.scan.queries.memo import once
from dynaguard.scan.statuses import STATUS_KEYWORDS, call_status, status_of
from dynaguard.scan.symbols import last_name
from dynaguard.scan.walk import nodes, walk

__all__ = [
    "checks_of",
    "exclusive",
    "in_dependency",
    "in_handler",
    "missing_statuses",
    "parent_checks",
    "raised_statuses",
]

# handlers broad enough to catch what a read raises for a missing item (PynamoDB's
# DoesNotExist, the KeyError of boto3's resp["Item"])
MISSING_ERRORS = frozenset({"Exception", "BaseException"})


# -- the steps of one request ------------------------------------------------------------


def in_dependency(ev: Event) -> bool:
    """Whether a step runs inside one of the route's dependencies (entered with no call)."""
    frame: Frame | None = ev.frame
    while frame is not None and frame.caller is not None:
        if frame.call is None:
            return True
        frame = frame.caller
    return False


def in_handler(ev: Event) -> bool:
    """Whether a step runs only when something failed: inside an `except` clause (in its
    function or in a caller on the way to it), e.g. a saga's compensating write."""
    for fn, node in _trail(ev):
        if fn is None or node is None:
            continue
        for t in _tries(fn.node):
            if _within(t.handlers, node):
                return True
    return False


def exclusive(a: Event, b: Event) -> bool:
    """Whether two steps sit on branches (if/else, try/except) that never both run."""
    for (fa, na), (fb, nb) in zip(_trail(a), _trail(b), strict=False):
        if fa is not fb or fa is None or na is None or nb is None:
            return False
        if na is not nb:  # the first function where the two paths part
            return _branches(fa.node, na, nb)
    return False


def checks_of(read: Event, steps: Iterable[Event]) -> list[Event]:
    """The checks of a request that test the item one read returned."""
    key = read.call.key if read.call is not None else None
    return [e for e in steps if e.kind == "check" and key in e.reads]


def parent_checks(project: Project, read: Event, steps: Sequence[Event]) -> list[Event]:
    """Checks against the caller of the items another read fetched by a key taken from this
    read's item: the caller's membership of the object's parent (`members(item["org_id"])`
    searched for the caller) decides whether the object is theirs."""
    key = read.call.key if read.call is not None else None
    derived = set()
    for e in steps:
        if e.kind != "read" or e.call is None or e is read or key is None:
            continue
        found = key_value(project, e.call, e.frame)
        if found is not None and any(s.call == key for s in found.all_sources()):
            derived.add(e.call.key)
    return [c for c in steps if c.kind == "check" and c.principal and c.reads & derived]


def _trail(ev: Event) -> list[tuple[FunctionInfo | None, ast.AST | None]]:
    """(function, the node of it on the way to the step), outermost caller first."""
    out: list[tuple[FunctionInfo | None, ast.AST | None]] = []
    frame: Frame | None = ev.frame
    node: ast.AST | None = ev.node
    while frame is not None:
        out.insert(0, (frame.fn, node))
        node, frame = frame.call, frame.caller
    return out


def _branches(root: ast.AST, a: ast.AST, b: ast.AST) -> bool:
    for node in walk(root):  # cached per tree, in ast.walk's order
        sides: list[list[ast.AST]]
        if isinstance(node, ast.If):
            sides = [[*node.body], [*node.orelse]]
        elif isinstance(node, ast.Try):
            sides = [[*node.body, *node.orelse], [*node.handlers]]
        else:
            continue
        if (_within(sides[0], a) and _within(sides[1], b)) or (
            _within(sides[0], b) and _within(sides[1], a)
        ):
            return True
        ends = isinstance(node, ast.If) and _after(node, b) and _ends(node.body)
        if ends and isinstance(node, ast.If) and _within(node.body, a):
            return True  # `if ...: write; return` then a write after the `if`
    return False


def _ends(stmts: list[ast.stmt]) -> bool:
    return bool(stmts) and isinstance(stmts[-1], ast.Return | ast.Raise)


def _after(node: ast.stmt, other: ast.AST) -> bool:
    return getattr(other, "lineno", 0) > (node.end_lineno or node.lineno)


# the try statements of a function (nested functions' too, as ast.walk finds them): kept
# while its tree lives (weakly keyed by the node itself, not its id(), so a collected tree's
# entry goes with it)
_TRIES: WeakKeyDictionary[ast.AST, list[ast.Try]] = WeakKeyDictionary()
# where statements nest: a try is a statement, and statements sit only in these fields
_BLOCKS = ("body", "handlers", "orelse", "finalbody", "cases")


def _tries(root: ast.AST) -> list[ast.Try]:
    found = _TRIES.get(root)
    if found is None:
        found = []
        todo = [root]  # statements only: expressions hold none (callers ask any/all)
        while todo:
            node = todo.pop()
            if isinstance(node, ast.Try):
                found.append(node)
            for name in _BLOCKS:
                child = getattr(node, name, None)
                if type(child) is list:
                    todo += child
        _TRIES[root] = found
    return found


def _within(stmts: Sequence[ast.AST], node: ast.AST) -> bool:
    return any(n is node for s in stmts for n in nodes(s))


# -- what a failed check answers -----------------------------------------------------------


def raised_statuses(project: Project, check: Event) -> set[int]:
    """HTTP statuses a check answers when it fails: `raise HTTPException(404)`, a status
    constant, an exception built by a helper (`raise not_found()`), an HTTPException
    subclass that sets its status, a helper called in the branch that raises, or the app's
    exception handler for what is raised (`raise PermissionDenied()`)."""
    if not isinstance(check.node, ast.If):
        return set()
    return _raised(project, check.node.body, check.frame, set())


def _raised(project: Project, body: Sequence[ast.stmt], frame: Frame, seen: set[str]) -> set[int]:
    out: set[int] = set()
    for stmt in body:
        for node in nodes(stmt):
            if isinstance(node, ast.Raise) and node.exc is not None:
                out |= _exception_status(project, node.exc, frame, seen)
            elif isinstance(node, ast.Return) and isinstance(node.value, ast.Call):
                # return JSONResponse(..., status_code=403): an answer, not raised
                kw = [k.value for k in node.value.keywords if k.arg in STATUS_KEYWORDS]
                out |= {s for a in kw if (s := status_of(a)) is not None}
    last = body[-1] if body else None
    if not out and isinstance(last, ast.Expr) and isinstance(last.value, ast.Call):
        # `if ...: forbid("why")`: the branch ends in a helper that raises (only the last
        # call answers; a logging call before a raise adds nothing)
        callee = project.values.target(last.value, frame)
        if isinstance(callee, FunctionInfo) and callee.qualname not in seen:
            seen.add(callee.qualname)
            inner = frame.enter(callee, last.value, project.module_of(callee))
            out |= _raised(project, callee.node.body, inner, seen)
    return out


def missing_statuses(project: Project, read: Event) -> set[int]:
    """HTTP statuses answered when a read finds nothing because it raises: the except
    clauses around a PynamoDB `Model.get` (DoesNotExist) or a boto3 `get_item(...)["Item"]`
    (KeyError), or broad enough to catch those; for a PynamoDB get nothing catches, the
    app's exception handler for its `DoesNotExist`."""
    call = read.call
    if call is None or call.operation != "get_item":
        return set()
    pynamo = call.handle.kind is HandleKind.PYNAMODB_MODEL
    missing = MISSING_ERRORS | ({"DoesNotExist"} if pynamo else {"KeyError", "LookupError"})
    out: set[int] = set()
    caught = False
    frame: Frame | None = read.frame
    node: ast.AST | None = read.node
    while frame is not None and frame.fn is not None and node is not None:
        for t in _tries(frame.fn.node):
            if _within(t.body, node):
                for handler in t.handlers:
                    if _catches(handler.type, missing):
                        caught = True
                        out |= _raised(project, handler.body, frame, set())
        node, frame = frame.call, frame.caller
    if pynamo and not caught:
        # `Model.get` raises `Model.DoesNotExist` up to the app: what its handler answers
        out |= _handled(project, [], ["DoesNotExist", "PynamoDBException"], call.handle.table)
    return out


def _catches(kind: ast.expr | None, names: frozenset[str]) -> bool:
    """`except Model.DoesNotExist` / `except KeyError` (bare: anything)."""
    if kind is None:
        return True
    kinds = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return any(last_name(k) in names for k in kinds)


def _exception_status(project: Project, exc: ast.expr, frame: Frame, seen: set[str]) -> set[int]:
    """The status an exception expression carries (its own, its class's, its builder's)."""
    call = exc if isinstance(exc, ast.Call) else None
    if call is not None:
        found = call_status(call)
        if found:
            return found
    target = project.values.target(call, frame) if call is not None else None
    if target is None and isinstance(exc, ast.Name | ast.Attribute):
        sym = project.resolve_expr(exc, frame.module)  # `raise Forbidden` (the class)
        target = sym if isinstance(sym, ClassRef) else None
    if isinstance(target, ClassRef):
        names = frozenset(c.name for c in project.mro(target.qualname))
        if (caught := _translated(project, frame, names)) is not None:
            return caught  # a caller turns it into a response: `except NotFound: raise 404`
        own = _class_status(project, target.qualname)
        return own or _handled(project, [c.qualname for c in project.mro(target.qualname)], [])
    if target is None and (name := last_name(exc)) is not None and name[:1].isupper():
        return _handled(project, [], [name])  # `raise PermissionError(...)`: a library class
    if isinstance(target, FunctionInfo) and call is not None and target.qualname not in seen:
        seen.add(target.qualname)  # `raise not_found()`: what the builder returns
        inner = frame.enter(target, call, project.module_of(target))
        returns = project.locals_of(inner).returns
        return {s for r in returns for s in _exception_status(project, r, inner, seen)}
    return set()


def _translated(project: Project, frame: Frame, names: frozenset[str]) -> set[int] | None:
    """What the nearest caller that catches the exception by name answers instead (a
    route's `except NotFound: raise HTTPException(404)` around a service's raise)."""
    node, up = frame.call, frame.caller
    while up is not None and up.fn is not None and node is not None:
        for t in _tries(up.fn.node):
            if _within(t.body, node):
                for h in t.handlers:
                    if h.type is not None and _catches(h.type, names):
                        return _raised(project, h.body, up, set())
        node, up = up.call, up.caller
    return None


def _class_status(project: Project, qualname: str) -> set[int]:
    """`status_code = 403` in the class body, or `super().__init__(403)` in its __init__."""
    for cls in project.mro(qualname):
        for stmt in cls.node.body:
            if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                named = any(last_name(t) in STATUS_KEYWORDS for t in targets)
                if named and (status := status_of(stmt.value)) is not None:
                    return {status}
        init = project.functions.get(cls.methods.get("__init__", ""))
        for node in nodes(init.node) if init is not None else ():
            if isinstance(node, ast.Call) and last_name(node.func) == "__init__":
                kw = [k.value for k in node.keywords if k.arg in STATUS_KEYWORDS]
                found = {s for a in (kw or node.args[:1]) if (s := status_of(a)) is not None}
                if found:
                    return found
    return set()


def _handled(
    project: Project, classes: list[str], names: list[str], model: str | None = None
) -> set[int]:
    """What the app's exception handler for an exception answers: the most specific one, as
    Starlette looks it up along the raised class's MRO (project classes first, then the
    library bases they name, then `names`). A model's `DoesNotExist` is its own class
    (PynamoDB derives one per model), so `Other.DoesNotExist` does not catch it."""
    bases = [
        n for q in classes for b in project.classes[q].node.bases if (n := last_name(b)) is not None
    ]
    order = [*classes, *bases, *names, "Exception"]
    best: tuple[int, FunctionInfo] | None = None
    for fn, caught, owner in once(project, "exception_handlers", _handlers):
        rank = _rank(caught, owner, order, model)
        if rank is not None and (best is None or rank < best[0]):
            best = rank, fn
    if best is None:
        return set()
    fn = best[1]
    return _raised(project, fn.node.body, Frame(fn, project.module_of(fn)), set())


Handler = tuple[FunctionInfo, ClassRef | str, str | None]


def _handlers(project: Project) -> list[Handler]:
    """Each exception handler with what it catches: a project class, or the last part of a
    library name with the class that name is an attribute of (`Model.DoesNotExist`)."""
    out: list[Handler] = []
    for h in project.exception_handlers:
        fn = project.functions.get(h.function)
        if fn is None:
            continue
        sym = _resolve(project, h.exception, fn.module)
        if isinstance(sym, ClassRef):
            out.append((fn, sym, None))
            continue
        head, _, last = h.exception.rpartition(".")
        owner = _resolve(project, head, fn.module) if head else None
        out.append((fn, last, owner.qualname if isinstance(owner, ClassRef) else None))
    return out


def _rank(
    caught: ClassRef | str, owner: str | None, order: list[str], model: str | None
) -> int | None:
    """Where a handler's exception stands in the lookup order (None: it does not catch)."""
    if isinstance(caught, ClassRef):
        return order.index(caught.qualname) if caught.qualname in order else None
    if owner is not None and model is not None and owner != model:
        return None  # another model's DoesNotExist
    return order.index(caught) if caught in order else None


def _resolve(project: Project, name: str, module: str) -> object:
    """A handler's exception name: imported names come dotted, the module's own bare."""
    sym = project.resolve_dotted(name, module)
    return sym if isinstance(sym, ClassRef) else project.resolve_dotted(f"{module}.{name}", module)
