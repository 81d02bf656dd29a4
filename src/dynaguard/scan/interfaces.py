"""A method called through an interface runs its one implementation.

Layered services type their repository by an interface (`repo: InvoiceRepository`, a
`typing.Protocol` or an abstract base class) and receive the implementation from a
dependency (`Depends(get_invoice_repo)` returning `DynamoInvoiceRepository()`). The
interface's method is a stub (a docstring, `...`, `pass`, `raise NotImplementedError`):
what runs is the implementation's. When the project has exactly one class implementing
the interface (a subclass of it, or, for a Protocol, a class defining every method it
declares), the stub stands for that class's method; with several, it stays the stub (which
one runs is decided at run time).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from dynaguard.scan.model import ClassInfo, FunctionInfo

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

PROTOCOLS = frozenset({"typing.Protocol", "typing_extensions.Protocol"})
_FOUND: WeakKeyDictionary[object, dict[str, ClassInfo | None]] = WeakKeyDictionary()


def implementation(project: Project, cls: ClassInfo, fn: FunctionInfo) -> FunctionInfo:
    """`fn` (found on `cls`), or the one implementation's method when `fn` is a stub."""
    if not stub(fn.node):
        return fn
    impl = _implementer(project, cls)
    if impl is None or fn.name not in impl.methods:
        return fn
    found = project.functions[impl.methods[fn.name]]
    return fn if stub(found.node) else found


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


def _not_implemented(exc: ast.expr | None) -> bool:
    target = exc.func if isinstance(exc, ast.Call) else exc
    return isinstance(target, ast.Name) and target.id == "NotImplementedError"


def _implementer(project: Project, cls: ClassInfo) -> ClassInfo | None:
    cache = _FOUND.setdefault(project, {}) if project.linked else {}
    if cls.qualname not in cache:
        cache[cls.qualname] = _only(project, cls)
    return cache[cls.qualname]


def _only(project: Project, iface: ClassInfo) -> ClassInfo | None:
    """The one concrete project class implementing `iface` (None: none or several)."""
    protocol = any(b in PROTOCOLS for b in iface.bases)
    declared = {
        name
        for name, q in iface.methods.items()
        if not name.startswith("__") and stub(project.functions[q].node)
    }
    found: list[ClassInfo] = []
    for c in project.classes.values():
        if c is iface:
            continue
        mro = project.mro(c.qualname)
        if iface in mro[1:] or (
            protocol and declared and declared <= {m for k in mro for m in k.methods}
        ):
            found.append(c)
    # a subclass that is itself abstract (all stubs) is no implementation
    concrete = [
        c for c in found if any(not stub(project.functions[q].node) for q in c.methods.values())
    ]
    return concrete[0] if len(concrete) == 1 else None
