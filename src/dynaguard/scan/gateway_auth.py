"""Routes API Gateway authenticates before the code runs (the template's authorizers).

A FastAPI route behind Mangum is authenticated by the gateway when every gateway route
that can carry a request to it (same method or ANY; a path that can match one of the
route's paths) passes an authorizer, and the template governs the route's code (it sits
in the template's directory or below). One open gateway route that can reach it (`Auth:
Authorizer: NONE` on `/scan/{id}`, no authorizer at all) and the route is not.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, cast

from dynaguard.scan.iac.gateway import GatewayRoute

if TYPE_CHECKING:
    from dynaguard.scan.model import Route
    from dynaguard.scan.protocols import Project

__all__ = ["gateway_guard"]


def gateway_guard(project: Project, route: Route) -> GatewayRoute | None:
    """The gateway route whose authorizer guards every request to `route`, if any."""
    if not project.iac.gateway:
        return None
    if "gateway_dirs" not in project.syntax:  # routes by template directory, built once
        by_dir: dict[PurePosixPath, list[GatewayRoute]] = {}
        for g in project.iac.gateway:
            by_dir.setdefault(PurePosixPath(g.file).parent, []).append(g)
        project.syntax["gateway_dirs"] = by_dir
    dirs = cast("dict[PurePosixPath, list[GatewayRoute]]", project.syntax["gateway_dirs"])
    here = PurePosixPath(route.file)
    found = [
        g
        for d in (here, *here.parents)
        for g in dirs.get(d, [])
        if (g.method == "ANY" or g.method in route.methods)
        and any(_overlap(_segments(g.path), _segments(p)) for p in route.full_paths)
    ]
    if not found or not all(g.authorized for g in found):
        return None
    return min(found, key=lambda g: (g.file, g.line))


def _segments(path: str) -> list[str]:
    return [s for s in path.strip("/").split("/") if s]


def _overlap(gateway: list[str], route: list[str]) -> bool:
    """Whether some concrete path matches both: `{x}` one segment, `{proxy+}` the rest."""
    for i, g in enumerate(gateway):
        if g.startswith("{") and g.endswith("+}"):
            return len(route) > i
        if i >= len(route):
            return False
        r = route[i]
        if not g.startswith("{") and not r.startswith("{") and g != r:
            return False
    return len(gateway) == len(route)
