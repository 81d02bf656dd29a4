"""FastAPI route classes: `APIRoute` subclasses whose `get_route_handler` returns the
function that answers every request of the routes using them (`route_class=`)."""

from __future__ import annotations

from dynaguard.scan.authn_resolve import as_function, closures
from dynaguard.scan.index import Project
from dynaguard.scan.model import FunctionInfo

__all__ = ["route_class_handlers"]


def route_class_handlers(project: Project) -> list[FunctionInfo]:
    """The request handlers `get_route_handler` of each project `APIRoute` subclass returns
    (a closure around the original handler), as functions."""
    out: list[FunctionInfo] = []
    for cls in sorted(project.classes.values(), key=lambda c: c.qualname):
        if not any(
            b.rsplit(".", 1)[-1] == "APIRoute" for c in project.mro(cls.qualname) for b in c.bases
        ):
            continue
        fn = project.functions.get(cls.methods.get("get_route_handler", ""))
        if fn is None:
            continue
        out += [as_function(b) for b in closures(project, fn)]
    return out
