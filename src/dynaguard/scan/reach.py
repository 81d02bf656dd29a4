"""Which routes reach which DynamoDB calls: the call graph walked from each route.

`reach(project, route)` records a Site (route, call chain) for every DynamoDB call a route
reaches; `reachable_routes(project, fn)` answers the other way round, from a function.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from dynaguard.scan.frames import Frame, Site
from dynaguard.scan.model import FunctionInfo, Route
from dynaguard.scan.paths import outer_line

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

# Call paths followed from one route: no bound on their length (layered services put the
# write ten calls down), and breadth first, so every function the route reaches is reached
# by its shortest paths. Diamonds multiply paths, so each function is entered in at most
# MAX_CONTEXTS call chains per route; a route that needed more is reported, never cut
# silently (its calls still have their first MAX_CONTEXTS sites).
MAX_CONTEXTS = 32


def reach(project: Project, route: Route) -> None:
    """Walk the call graph from a route (and its dependencies); record each call's Site."""
    fn = project.functions[route.function]
    start = Frame(fn, project.module_of(fn))
    frames: deque[Frame] = deque()
    for dep in route.all_dependencies:
        dep_fn = project.functions.get(dep.target or "")
        if dep_fn is not None:
            frames.append(start.enter(dep_fn, None, project.module_of(dep_fn)))
    frames.append(start)
    entered: dict[str, int] = {}
    spent = False
    while frames:
        frame = frames.popleft()
        for call in project.calls_in(frame.fn):
            project.add_site(call, Site(route, frame))
        if frame.fn is None:
            continue
        chain = {f.qualname for f in frame.chain()}  # no recursion: each function once a path
        for cs in project.callsites.get(frame.fn.qualname, []):
            if cs.callee in chain:
                continue
            if entered.get(cs.callee, 0) >= MAX_CONTEXTS:
                spent = True
                continue
            entered[cs.callee] = entered.get(cs.callee, 0) + 1
            callee = project.functions[cs.callee]
            frames.append(frame.enter(callee, cs.node, project.module_of(callee), cs.arg_offset))
    if spent:
        project.unknown_shapes.append(
            (
                route.file,
                route.line,
                f"{route.label}: a function is reached by more than {MAX_CONTEXTS} call "
                "paths; the calls in it are analysed along the first of them only",
            )
        )


def reachable_routes(project: Project, fn: FunctionInfo) -> list[Route]:
    """Routes whose call graph reaches a function, in declaration order."""
    # the functions that reach fn, found once backwards, instead of a walk of the whole call
    # graph forwards from every route per question (quadratic on large projects)
    if project.reach_index is None:
        callers: dict[str, list[str]] = {}
        for q, sites in project.callsites.items():
            for cs in sites:
                if q is not None:
                    callers.setdefault(cs.callee, []).append(q)
        endpoints: dict[str, list[int]] = {}
        for i, route in enumerate(project.routes):
            endpoints.setdefault(route.function, []).append(i)
        project.reach_index = (callers, endpoints)
    callers, endpoints = project.reach_index
    found = {fn.qualname}
    todo = [fn.qualname]
    while todo:
        for q in callers.get(todo.pop(), []):
            if q not in found:
                found.add(q)
                todo.append(q)
    hits = sorted(i for q in found for i in endpoints.get(q, []))
    return [project.routes[i] for i in hits]


def first_writes(project: Project) -> dict[tuple[str, int, str], int]:
    """For each route (by its declaration: file, line, endpoint): the line, in its endpoint,
    of the first statement that writes (the write itself, or the call that leads to it).
    What a dependency writes runs before the endpoint's body, whatever it checks, so it is
    left out: the endpoint's own check can only gate the endpoint's own writes."""
    out: dict[tuple[str, int, str], int] = {}
    for call in project.calls:
        if not (call.is_write or call.operation.startswith("batch_writer.")):
            continue
        for site in project.sites(call):
            if site.route is None:
                continue
            _, line = outer_line(site.frame, call.line)
            if not line:
                continue  # a dependency's write
            r = site.route
            key = (r.file, r.line, r.function)
            out[key] = min(out.get(key, line), line)
    return out
