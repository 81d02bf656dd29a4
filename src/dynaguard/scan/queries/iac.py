"""IaC questions for DG118: the IAM grants written beside the code, and which tables the
code itself reads and writes (so a grant can be compared with what the service does)."""

from __future__ import annotations

import re

from dynaguard.scan.iac.model import Managed, Statement
from dynaguard.scan.index import Project
from dynaguard.scan.model import HandleKind

__all__ = ["Managed", "Statement", "code_tables", "managed_policies", "only_read", "statements"]

PYNAMODB = (HandleKind.PYNAMODB_MODEL, HandleKind.PYNAMODB_ITEM)


def statements(project: Project) -> list[Statement]:
    """Every Allow statement (or grant that amounts to one) read from the IaC files."""
    return list(project.iac.statements)


def managed_policies(project: Project) -> list[Managed]:
    """Every AWS managed policy the IaC attaches (AmazonDynamoDBFullAccess...)."""
    return list(project.iac.managed)


def code_tables(project: Project) -> dict[str, bool]:
    """Table names the code uses (compared by `norm_table`), by whether it ever writes them."""
    out: dict[str, bool] = {}
    for call in project.calls:
        name = call.handle.table
        if call.handle.kind in PYNAMODB:  # the handle names the model; its Meta the table
            cls = project.classes.get(name or "")
            name = cls.table_name if cls else None
        if name:
            key = norm_table(name)
            out[key] = out.get(key, False) or call.is_write
    return out


def only_read(table: str, usage: dict[str, bool]) -> bool:
    """Whether the code uses the table (names match up to stage prefixes) and never writes it."""
    t = norm_table(table)
    hits = [w for n, w in usage.items() if n and (n == t or n.endswith(t) or t.endswith(n))]
    return bool(hits) and not any(hits)


def norm_table(name: str) -> str:
    """A table name compared without case and punctuation (`Orders-Table` ~ `orderstable`)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())
