"""PynamoDB's optimistic locking: a `VersionAttribute` in every write's condition.

`item.save()`, `item.update(...)` and `item.delete()` on a model with a version attribute
send `version = :read` (unless `add_version_condition=False`): a write of the item read
fails if anything changed it since, so it re-asserts whatever a check decided on it.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from dynaguard.scan.model import DynamoCall, HandleKind

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project


def version_attribute(project: Project, call: DynamoCall) -> str | None:
    """The version attribute PynamoDB puts in this write's condition, if any."""
    if call.handle.kind not in (HandleKind.PYNAMODB_ITEM, HandleKind.PYNAMODB_MODEL):
        return None
    cls = project.classes.get(call.handle.table or "")
    if cls is None or not cls.version_attribute or call.operation == "get_item":
        return None
    off = any(
        k.arg == "add_version_condition"
        and isinstance(k.value, ast.Constant)
        and k.value.value is False
        for k in call.node.keywords
    )
    return None if off else cls.version_attribute


def versioned_write(project: Project, call: DynamoCall) -> bool:
    """A write of a PynamoDB item whose version PynamoDB checks: it fails if the item read
    changed in between (check-then-act cannot happen on that item)."""
    return call.handle.kind is HandleKind.PYNAMODB_ITEM and bool(version_attribute(project, call))
