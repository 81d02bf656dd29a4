"""The caller's own record: where a privilege field the client sets is self-escalation (DG105).

A write goes to the caller's own record when its key comes from the principal alone
(`Key={"username": user}`), or when its table is the one the project keeps callers in: a
table some operation addresses by the principal alone, or that an authenticating dependency
reads or writes while it identifies the caller (`users.get_item(Key={"sub": claims["sub"]})`).
A sign-up's put into that table writes the new caller's record. A table is known by its
name, else by the module-level handle or `TableName=` constant that names it, so a table
named from the environment is still one table.
"""

from __future__ import annotations

import ast

from dynaguard.scan.flow import events, key_value
from dynaguard.scan.frames import Frame, Site
from dynaguard.scan.index import Project
from dynaguard.scan.model import DynamoCall, HandleKind, Route
from dynaguard.scan.provenance import Origin, Value, join
from dynaguard.scan.queries.keys import keyed_on
from dynaguard.scan.queries.memo import once
from dynaguard.scan.queries.tables import table_of
from dynaguard.scan.queries.transactions import key_attributes

__all__ = ["callers_table", "own_record", "write_key"]

# operations on one record (a query by the principal reads a per-user partition, whose
# items are the caller's data, not the caller's record)
ADDRESSED = frozenset({"get_item", "put_item", "update_item", "delete_item"})


def own_record(project: Project, call: DynamoCall, site: Site) -> bool:
    """The write goes to the caller's own record (its key is the principal alone), or to
    the table the project keeps its callers in."""
    if _principal_only(write_key(project, call, site)):
        return True
    table = callers_table(project, call, site.frame)
    return table is not None and table in once(project, "callers-tables", _callers_tables)


def write_key(project: Project, call: DynamoCall, site: Site) -> Value | None:
    """The written record's key; a boto3 put's Item by its key-like attributes."""
    key = key_value(project, call, site.frame)
    if key is None:
        return None
    if call.operation == "put_item" and call.handle.kind is not HandleKind.PYNAMODB_ITEM:
        if not key.fields:
            return None
        # the attributes the project's own gets, updates and deletes key this table on;
        # by name (id, pk, *_id) where none does
        table = table_of(project, call, site.frame)
        keyed = keyed_on(project, table)
        picked = [v for k, v in key.fields if k in keyed]
        return join(*picked) if picked else key_attributes(key)
    return key


def callers_table(project: Project, call: DynamoCall, frame: Frame) -> str | None:
    """The table's name, else the module-level handle or `TableName=` constant naming it."""
    name = call.args.get("TableName")
    if name is not None:
        return project.values.text(name, frame) or _global(project, name, frame)
    found = table_of(project, call, frame)
    recv = call.node.func.value if isinstance(call.node.func, ast.Attribute) else None
    return found if found is not None or recv is None else _global(project, recv, frame)


def _global(project: Project, expr: ast.expr, frame: Frame) -> str | None:
    if not isinstance(expr, ast.Name | ast.Attribute):
        return None
    sym = project.resolve_expr(expr, frame.module)
    return f"{sym[0]}:{sym[1]}" if isinstance(sym, tuple) else None


def _principal_only(key: Value | None) -> bool:
    return key is not None and bool(key.all_sources()) and key.origins() == {Origin.PRINCIPAL}


def _callers_tables(project: Project) -> frozenset[str]:
    """Tables addressed by the principal alone, or used by authentication on the caller."""
    out: set[str | None] = set()
    for call in project.calls:
        if call.operation in ADDRESSED:
            out |= {
                callers_table(project, call, site.frame)
                for site in project.sites(call)
                if _principal_only(write_key(project, call, site))
            }
    for route in project.routes:
        out |= _authentication_tables(project, route)
    return frozenset(t for t in out if t is not None)


def _authentication_tables(project: Project, route: Route) -> set[str | None]:
    auth = {
        d.target for d in route.all_dependencies if d.target and project.behaviour.authenticates(d)
    }
    if not auth:
        return set()
    return {
        callers_table(project, ev.call, ev.frame)
        for ev in events(project, route)
        if ev.kind in ("read", "write")
        and ev.call is not None
        and ev.call.operation in ADDRESSED
        and any(f.qualname in auth for f in ev.frame.chain())
    }
