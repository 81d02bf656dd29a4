"""What an application keeps on `app.state` (Starlette's State): a client opened in the
lifespan (`app.state.ddb = client`) and read back in a dependency (`request.app.state.ddb`).

Starlette has one State per application and no declared attributes, so an attribute is
known by every assignment to `<anything>.state.<name>` in the project: the values, with
the frame each is evaluated in.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from dynaguard.scan.frames import Frame
from dynaguard.scan.walk import own_statements

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

Assigned = dict[str, list[tuple[Frame, ast.expr]]]
_BY_PROJECT: WeakKeyDictionary[object, Assigned] = WeakKeyDictionary()


def is_state(expr: ast.Attribute) -> bool:
    """`x.state.name`: an attribute of some application's (or request's) state."""
    return isinstance(expr.value, ast.Attribute) and expr.value.attr == "state"


def assigned(project: Project, name: str) -> list[tuple[Frame, ast.expr]]:
    """Every value assigned to `<x>.state.<name>`, with the frame it is evaluated in."""
    found = _BY_PROJECT.get(project)
    if found is None:
        found = _BY_PROJECT[project] = _collect(project)
    return found.get(name, [])


def _collect(project: Project) -> Assigned:
    out: Assigned = {}
    scopes: list[tuple[Frame, ast.AST]] = [
        (Frame(None, mod), mod.tree) for mod in project.modules.values()
    ]
    scopes += [
        (Frame(fn, project.modules[fn.module]), fn.node)
        for fn in project.functions.values()
        if fn.module in project.modules
    ]
    # assignments are statements: walking statements only skips every expression node
    for frame, root in scopes:
        for node in own_statements(root):
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            else:
                continue
            for t in targets:
                if isinstance(t, ast.Attribute) and is_state(t):
                    out.setdefault(t.attr, []).append((frame, value))
    return out
