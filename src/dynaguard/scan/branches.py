"""Branches a call's constant flags decide: `put(obj)` never runs `if create_only: ...`.

A repository helper adds its condition under a flag (`if create_only:
params["ConditionExpression"] = ...`, `if condition is not None: ...`). Analysed for one
call site, a branch whose test is such a parameter, given a constant (or left at its
constant default), is either always or never taken: the dict entries it sets exist only
when it is. Unknown arguments, `**kwargs` at the call site and any other test keep both
branches (the lenient reading: the entry may be there).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

from dynaguard.scan.frames import Frame, bound_arg
from dynaguard.scan.locals import anchor
from dynaguard.scan.model import FunctionInfo

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

T = TypeVar("T")
Guard = tuple[ast.expr, bool]  # an enclosing `if` test, and whether the node is in its body


def live(
    project: Project, frame: Frame, sets: Iterable[tuple[T, ast.expr]]
) -> list[tuple[T, ast.expr]]:
    """The (key, value) sets of a local dict or object that this call site can run."""
    found = list(sets)
    fn, call = frame.fn, frame.call
    if fn is None:
        return found
    guards = _guards(project, fn.qualname, fn.node)
    if call is not None and not any(k.arg is None for k in call.keywords):
        found = [s for s in found if all(_may(frame, g) for g in guards.get(id(anchor(s[1])), ()))]
    return _either(found, guards)


def _either(
    sets: list[tuple[T, ast.expr]], guards: dict[int, list[Guard]]
) -> list[tuple[T, ast.expr]]:
    """Sets of one key in the two branches of an `if` are alternatives, not one after the
    other (`if admin: kw["Cond"] = a` / `else: kw["Cond"] = b`): one value that may be either
    (an `a if ... else b`), where the later of them stood."""
    out: list[tuple[T, ast.expr]] = []
    for key, value in sets:
        at = next(
            (
                i
                for i, (k, v) in enumerate(out)
                if k == key and key is not None and _exclusive(guards, out[i][1], value)
            ),
            None,
        )
        if at is None:
            out.append((key, value))
            continue
        # (made up here: its id goes into no cache, it may be reused once this is freed)
        either = ast.copy_location(ast.IfExp(ast.Constant(True), out[at][1], value), value)
        del out[at]
        out.append((key, either))
    return out


def _exclusive(guards: dict[int, list[Guard]], a: ast.expr, b: ast.expr) -> bool:
    """Whether the two values sit in opposite branches of one `if`."""
    sides = {id(t): side for t, side in guards.get(id(anchor(a)), [])}
    return any(id(t) in sides and sides[id(t)] != side for t, side in guards.get(id(anchor(b)), []))


def _may(frame: Frame, guard: Guard) -> bool:
    """Whether the branch can run at this call site."""
    test, in_body = guard
    truth = _truth(frame, test)
    return truth is None or truth == in_body


def _truth(frame: Frame, test: ast.expr) -> bool | None:
    """The test's value when it only reads a parameter the call fixes to a constant."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _truth(frame, test.operand)
        return None if inner is None else not inner
    if isinstance(test, ast.Name):
        value = _constant(frame, test.id)
        return None if value is None else bool(value[0])
    if (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Is | ast.IsNot)
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    ):
        value = _constant(frame, test.left.id)
        if value is None:
            return None
        return (value[0] is None) == isinstance(test.ops[0], ast.Is)
    return None


def _constant(frame: Frame, name: str) -> tuple[object] | None:
    """(value,) of a parameter the call site passes (or leaves at) a literal constant."""
    assert frame.fn is not None
    if name not in {a.arg for a in frame.fn.params}:
        return None
    bound = bound_arg(frame, name)
    if bound is None or not isinstance(bound[0], ast.Constant):
        return None
    return (bound[0].value,)


def guards_of(project: Project, fn: FunctionInfo) -> dict[int, list[Guard]]:
    """id() of every expression of `fn` under an `if`, with the tests that enclose it."""
    return _guards(project, fn.qualname, fn.node)


def _guards(project: Project, qualname: str, node: ast.AST) -> dict[int, list[Guard]]:
    """id() of every expression under an `if`, with the tests that enclose it."""
    key = ("guards", qualname)
    if key not in project.syntax:
        out: dict[int, list[Guard]] = {}
        todo: list[tuple[ast.AST, list[Guard]]] = [(node, [])]
        while todo:
            at, around = todo.pop()
            if isinstance(at, ast.If):
                todo += [(s, [*around, (at.test, True)]) for s in at.body]
                todo += [(s, [*around, (at.test, False)]) for s in at.orelse]
                continue
            for child in ast.iter_child_nodes(at):
                if isinstance(child, ast.expr):
                    _mark(child, around, out)
                elif not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                    todo.append((child, around))
        project.syntax[key] = out
    found = project.syntax[key]
    assert isinstance(found, dict)
    return found


def _mark(expr: ast.expr, around: list[Guard], out: dict[int, list[Guard]]) -> None:
    """Every node of an expression with its enclosing tests, `a if t else b` included."""
    todo: list[tuple[ast.AST, list[Guard]]] = [(expr, around)]
    while todo:
        at, outer = todo.pop()
        if outer:
            out[id(at)] = outer
        if isinstance(at, ast.IfExp):
            todo += [(at.test, outer), (at.body, [*outer, (at.test, True)])]
            todo.append((at.orelse, [*outer, (at.test, False)]))
        else:
            todo += [(c, outer) for c in ast.iter_child_nodes(at)]
