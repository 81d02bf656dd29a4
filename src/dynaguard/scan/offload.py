"""What hands a function and its arguments to another thread, and the project's own helpers
that do it for their callers (`await db(nb.update, actions=[...])`): the route still makes
the call they hand on.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, cast

from dynaguard.scan.model import FunctionInfo
from dynaguard.scan.symbols import ModuleInfo, dotted
from dynaguard.scan.walk import own_nodes

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

# what hands a function and its arguments to another thread (or, `add_task`, to after the
# response: FastAPI's BackgroundTasks): the route still makes those calls
OFFLOAD = frozenset(
    {"to_thread", "run_in_threadpool", "run_in_executor", "run_sync", "run_in_thread", "submit"}
    | {"add_task"}
)


def forwarder(project: Project, call: ast.Call, mod: ModuleInfo) -> str | None:
    """A call of the project's own helper that runs its first argument with the rest
    (`async def db(fn, *args, **kwargs): return await loop.run_in_executor(None,
    partial(fn, *args, **kwargs))`): "thread" when it hands them to a worker thread,
    "direct" when it calls `fn(*args, **kwargs)` itself; None for any other call."""
    if not call.args or not isinstance(call.func, ast.Name | ast.Attribute):
        return None
    fn = project.resolve_expr(call.func, mod)
    if not isinstance(fn, FunctionInfo) or fn.class_name is not None:
        return None
    key = ("forwarder", fn.qualname)
    if key not in project.syntax:
        project.syntax[key] = _forwards(project, fn)
    return cast("str | None", project.syntax[key])


def _forwards(project: Project, fn: FunctionInfo) -> str | None:
    a = fn.node.args
    params = [*a.posonlyargs, *a.args]
    if not params or a.vararg is None:
        return None
    first, home = params[0].arg, project.module_of(fn)
    for n in own_nodes(fn.node):
        if not isinstance(n, ast.Call):
            continue
        if isinstance(n.func, ast.Name) and n.func.id == first:
            return "direct"
        if (dotted(n.func, home) or "").rsplit(".", 1)[-1] not in OFFLOAD:
            continue
        for x in n.args[:2]:  # `to_thread(fn, ...)`, `run_in_executor(None, partial(fn, ...))`
            handed = x.args[0] if isinstance(x, ast.Call) and x.args else x
            if isinstance(handed, ast.Name) and handed.id == first:
                return "thread"
    return None
