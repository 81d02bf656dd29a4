"""A method called through an interface runs its one implementation.

Layered services type their repository by an interface (`repo: InvoiceRepository`, a
`typing.Protocol` or an abstract base class) and receive the implementation from a
dependency (`Depends(get_invoice_repo)` returning `DynamoInvoiceRepository()`). The
interface's method is a stub (a docstring, `...`, `pass`, `raise NotImplementedError`):
what runs is the implementation's. When exactly one project class implements the
interface (a subclass of it, or, for a Protocol, a class defining every method it
declares) with a real body for that method, the stub stands for that class's method; with
several, it stays the stub (which one runs is decided at run time). Only a declared
interface counts (a Protocol, an abstract base class, an `@abstractmethod`), and only for
a receiver typed by the interface itself: an ordinary base class's do-nothing hook is what
a subclass that does not override it runs. Candidates are found
through an index of method names, so a library full of abstract classes costs no more
than one pass over its classes.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from dynaguard.scan.model import ClassInfo, FunctionInfo

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

PROTOCOLS = frozenset({"typing.Protocol", "typing_extensions.Protocol"})


class _Found:
    """Per project: the classes defining each method name, and the answers so far. Built
    again when the project has gained classes (an answer is only kept for the classes it
    saw)."""

    def __init__(self, project: Project) -> None:
        self.classes = len(project.classes)
        self.by_method: dict[str, list[ClassInfo]] = {}
        for c in project.classes.values():
            for name in c.methods:
                self.by_method.setdefault(name, []).append(c)
        self.answers: dict[tuple[str, str], FunctionInfo | None] = {}


_FOUND: WeakKeyDictionary[object, _Found] = WeakKeyDictionary()


def implementation(project: Project, asked: str, cls: ClassInfo, fn: FunctionInfo) -> FunctionInfo:
    """`fn` (found on `cls` for a receiver typed `asked`), or the one implementation's
    method when `fn` is an interface's stub and the receiver is typed by the interface
    itself (a concrete subclass's own default, `pass`, is what runs for that subclass)."""
    if asked != cls.qualname or not stub(fn.node) or not _interface(cls, fn):
        return fn
    found = _FOUND.get(project)
    if found is None or found.classes != len(project.classes):
        found = _FOUND[project] = _Found(project)
    key = (cls.qualname, fn.name)
    if key not in found.answers:
        found.answers[key] = _only(project, cls, fn.name, found)
    return found.answers[key] or fn


def stub(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A body that does nothing: docstring, `...`, `pass`, `raise NotImplementedError`."""
    for stmt in node.body:
        if isinstance(stmt, ast.Pass) or (
            isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
        ):
            continue
        if isinstance(stmt, ast.Raise) and _not_implemented(stmt.exc):
            continue
        return False
    return True


def _interface(cls: ClassInfo, fn: FunctionInfo) -> bool:
    """A Protocol, an abstract base class, or an `@abstractmethod`: declared to be overridden."""
    abstract = {"abc.ABC", "ABC", *PROTOCOLS}
    meta = any(k.arg == "metaclass" and _last(k.value) == "ABCMeta" for k in cls.node.keywords)
    marked = any(_last(d) == "abstractmethod" for d in fn.node.decorator_list)
    return bool(set(cls.bases) & abstract) or meta or marked


def _last(expr: ast.expr) -> str:
    """`abc.abstractmethod` -> abstractmethod, `ABCMeta` -> ABCMeta."""
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return expr.id if isinstance(expr, ast.Name) else ""


def _not_implemented(exc: ast.expr | None) -> bool:
    target = exc.func if isinstance(exc, ast.Call) else exc
    return isinstance(target, ast.Name) and target.id == "NotImplementedError"


def _only(project: Project, iface: ClassInfo, name: str, found: _Found) -> FunctionInfo | None:
    """The one project class's real `name` that implements `iface` (None: none or several):
    a subclass of it, or, for a Protocol, a class defining every method it declares."""
    protocol = any(b in PROTOCOLS for b in iface.bases)
    declared = {m for m in iface.methods if not m.startswith("__")}
    out: list[FunctionInfo] = []
    for c in found.by_method.get(name, []):
        fn = project.functions[c.methods[name]]
        if c is iface or stub(fn.node):
            continue
        mro = project.mro(c.qualname)
        if iface in mro[1:] or (protocol and declared <= {m for k in mro for m in k.methods}):
            out.append(fn)
            if len(out) > 1:
                return None
    return out[0] if out else None
