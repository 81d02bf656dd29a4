"""Transaction questions for DG110: the items a `transact_write_items` writes, however the
list is built (a literal, a local list grown with append/extend/+=, a helper's return)."""

from __future__ import annotations

import ast

from dynaguard.scan.frames import Frame, Site
from dynaguard.scan.index import Project
from dynaguard.scan.infer import bound_arg
from dynaguard.scan.model import DynamoCall, FunctionInfo
from dynaguard.scan.report import KEY_NAME
from dynaguard.scan.value import Value, join

__all__ = ["key_attributes", "transact_items"]

Element = tuple[ast.expr, Frame]  # an expression of one list element, and where it is written


def transact_items(project: Project, call: DynamoCall, site: Site) -> list[tuple[str, Value]]:
    """(action, body) of each TransactItems entry (Update/Delete/Put/ConditionCheck)."""
    expr = call.args.get("TransactItems")
    if expr is None:
        return []
    out: list[tuple[str, Value]] = []
    for elt, frame in _elements(project, expr, site.frame, set()):
        out += list(project.values.of(elt, frame).fields or ())
    return out


def key_attributes(item: Value) -> Value:
    """The key-like attributes of an item (id, pk, sk, *_id...)."""
    return join(*(v for k, v in item.fields or () if KEY_NAME.match(k)))


def _elements(project: Project, expr: ast.expr, frame: Frame, seen: set[str]) -> list[Element]:
    """The element expressions a list-valued expression is built from (each in its frame)."""
    if isinstance(expr, ast.List | ast.Tuple):
        out: list[Element] = []
        for e in expr.elts:
            if isinstance(e, ast.Starred):  # [*base, {...}]
                out += _elements(project, e.value, frame, seen)
            else:
                out.append((e, frame))
        return out
    if isinstance(expr, ast.ListComp):
        return [(expr.elt, frame)]
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return [
            *_elements(project, expr.left, frame, seen),
            *_elements(project, expr.right, frame, seen),
        ]
    if isinstance(expr, ast.Name):
        return _named(project, expr.id, frame, seen)
    if isinstance(expr, ast.Call):
        return _returned(project, expr, frame, seen)
    return []


def _named(project: Project, name: str, frame: Frame, seen: set[str]) -> list[Element]:
    """A local list: its assignments, what is appended or extended, or the caller's argument."""
    key = f"{frame.fn.qualname if frame.fn else frame.module.name}:{name}@{frame.depth}"
    if key in seen:
        return []
    seen.add(key)
    local = project.locals_of(frame)
    out: list[Element] = []
    for value in local.assigns.get(name, []):
        out += _elements(project, value, frame, seen)
    for c in local.calls:
        f = c.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == name:
            if f.attr in ("append", "insert") and c.args:
                out.append((c.args[-1], frame))
            elif f.attr == "extend" and c.args:
                out += _elements(project, c.args[0], frame, seen)
    if name not in local.assigns and (bound := bound_arg(frame, name)) is not None:
        out += _elements(project, bound[0], bound[1], seen)  # a helper's parameter
    return out


def _returned(project: Project, call: ast.Call, frame: Frame, seen: set[str]) -> list[Element]:
    """What a project helper returns, followed into it (`items = build_items(pid)`)."""
    target = project.values.target(call, frame)
    if not isinstance(target, FunctionInfo):
        return []
    # one visit per call site: `build(a) + build(b)` follows both, a recursion stops
    here = f"{target.qualname}<-{frame.module.name}:{call.lineno}:{call.col_offset}"
    if here in seen:
        return []
    seen.add(here)
    inner = frame.enter(target, call, project.module_of(target))
    return [e for r in project.locals_of(inner).returns for e in _elements(project, r, inner, seen)]
