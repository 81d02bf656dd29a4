"""The object a method runs on, seen from the call chain that entered it: a generic
repository's `self` is the subclass instance the route called (`members.get(...)`)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from dynaguard.scan.frames import Frame
from dynaguard.scan.model import ClassRef

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

__all__ = ["receiver_class"]


def receiver_class(project: Project, frame: Frame | None) -> str | None:
    """The class of the object a method was called on (`repo.put(...)`: repo's class),
    through the object's own calls (`products.load()` -> `self.get()`: still products)."""
    while frame is not None and frame.call is not None and (up := frame.caller) is not None:
        func = frame.call.func
        if not isinstance(func, ast.Attribute):
            return None
        method = up.fn is not None and up.fn.class_name is not None
        if method and isinstance(func.value, ast.Name) and func.value.id == "self":
            frame = up  # a method of the same object: who called that one
            continue
        found = project.types.of(func.value, up)
        return found.qualname if isinstance(found, ClassRef) else None
    return None
