"""The attributes that make up a table's keys, as the project's own keyed calls use them.

A request value in a key attribute chooses which item a write makes or replaces: that is
judged by the key rules (DG106 for a key from the body, DG103 for a key from the request
with no ownership check), not as a server-controlled field the client set (DG105).
"""

from __future__ import annotations

from dynaguard.scan.flow import key_value
from dynaguard.scan.index import Project
from dynaguard.scan.queries import tables
from dynaguard.scan.queries.memo import once

KEYED = frozenset({"get_item", "update_item", "delete_item"})


def keyed_attributes(project: Project) -> frozenset[tuple[str | None, str]]:
    """(table, attribute) for every attribute a get, update or delete names in its key."""
    return once(project, "keyed_attributes", _collect)


def _collect(project: Project) -> frozenset[tuple[str | None, str]]:
    out: set[tuple[str | None, str]] = set()
    for call in project.calls:
        if call.operation not in KEYED:
            continue
        for site in project.sites(call):
            key = key_value(project, call, site.frame)
            if key is not None and key.fields is not None:
                table = tables.table_of(project, call, site.frame)
                out |= {(table, name) for name, _ in key.fields}
    return frozenset(out)


def keyed_on(project: Project, table: str | None) -> frozenset[str]:
    """The attributes the project's keyed calls name in `table`'s key."""
    return once(project, "keyed_on", _by_table).get(table, frozenset())


def _by_table(project: Project) -> dict[str | None, frozenset[str]]:
    out: dict[str | None, set[str]] = {}
    for table, name in keyed_attributes(project):
        out.setdefault(table, set()).add(name)
    return {t: frozenset(names) for t, names in out.items()}
