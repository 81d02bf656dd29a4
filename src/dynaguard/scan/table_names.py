"""The table a factory call hands back: `table("items")` returning
`resource().Table(table_name(logical))`, named in the call's own context.

Function return types are worked out once per function, whoever calls it (infer.py), so a
factory's Table has no name there; its name depends on the argument: `"dev-items"` for
`table("items")`, with `table_name` answering `os.getenv("ITEMS_TABLE", f"{STAGE}-items")`.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from dynaguard.scan.aliases import env_default
from dynaguard.scan.frames import Frame

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

__all__ = ["factory_table"]


def factory_table(project: Project, frame: Frame) -> str | None:
    """The name of the Table the function of `frame` (entered through its call) returns."""
    for value in project.locals_of(frame).returns:
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr == "Table"
            and value.args
        ):
            name = value.args[0]
            found = project.constant_text(name, frame) or env_default(name, frame, project)
            if found:
                return found
    return None
