"""What a class's instances were built with: the values its constructor calls pass a field.

A container of handles is often a dataclass filled where it is made, not in an
`__init__` the index can read: `yield Tables(orders=await ddb.Table(...), ...)` in a
dependency, then `tables.orders.scan(...)` in the route. The field's values are the
arguments every construction site passes for it (by keyword, or by position in the
order the class body declares its fields).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from dynaguard.scan.frames import Frame
from dynaguard.scan.model import ClassRef

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

__all__ = ["constructed"]

Site = tuple[ast.Call, Frame]


def constructed(project: Project, cls_qual: str, attr: str) -> list[tuple[ast.expr, Frame]]:
    """(argument, its frame) for `attr` at every call that constructs the class."""
    cls = project.classes.get(cls_qual)
    if cls is None:
        return []
    order = [
        s.target.id
        for s in cls.node.body
        if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
    ]
    at = order.index(attr) if attr in order else None
    out: list[tuple[ast.expr, Frame]] = []
    for call, frame in _sites(project).get(cls_qual, []):
        out += [(k.value, frame) for k in call.keywords if k.arg == attr]
        if (
            at is not None
            and at < len(call.args)
            and not any(isinstance(a, ast.Starred) for a in call.args[: at + 1])
        ):
            out.append((call.args[at], frame))
    return out


def _sites(project: Project) -> dict[str, list[Site]]:
    """Every call of a project class by its name, found once per project."""
    key = ("constructed",)
    if key not in project.syntax:
        found: dict[str, list[Site]] = {}
        for mod in project.modules.values():
            for fn in [None, *mod.functions.values()]:
                frame = Frame(fn, mod)
                for call in project.locals_of(frame).calls:
                    if not isinstance(call.func, ast.Name | ast.Attribute):
                        continue
                    sym = project.resolve_expr(call.func, mod)
                    if isinstance(sym, ClassRef):
                        found.setdefault(sym.qualname, []).append((call, frame))
        project.syntax[key] = found
    sites = project.syntax[key]
    assert isinstance(sites, dict)
    return sites
