"""A relation the caller holds, checked before the object is used (an ownership check, DG103).

Multi-tenant services keep who may reach an object in another table: a membership item
keyed by the team and the caller (`members[(team_id, me)]`). Reading it and failing when
it is missing, or when its role is wrong, ties the team to the caller as comparing the
team's own owner would: `if await membership_role(client, team_id, user) is None: raise`,
then `teams.get_item(Key={"team_id": team_id})`. The relation lives in another table: the
caller's own record of the object's kind (`accounts[(me, handle)]`) ties no other record
that shares a key part with it (`accounts[(account_id, handle)]`).
"""

from __future__ import annotations

from dynaguard.scan.aliases import table_name
from dynaguard.scan.flow import key_value
from dynaguard.scan.frames import Event
from dynaguard.scan.index import Project
from dynaguard.scan.model import DynamoCall
from dynaguard.scan.provenance import Origin, Value
from dynaguard.scan.report import request_sources

__all__ = ["covers", "relation_checked", "tied"]


def relation_checked(project: Project, evs: list[Event], index: int, key: Value) -> bool:
    """A failing check (before the operation, when it writes) on an item read by a key that
    holds the principal and a request value the operation's key holds too."""
    op = evs[index]
    wanted = tied(project, evs, {(s.origin, s.name) for s in request_sources(key)})
    if not wanted or op.call is None:
        return False
    # a generic repository's one line reads many tables: each read the check may test
    # (a check on a call's result comes before the reads the call makes)
    reads: dict[object, list[Event]] = {}
    for e in evs:
        if e.kind == "read" and e.call is not None:
            reads.setdefault(e.call.key, []).append(e)
    table = table_name(project, op.call, op.frame)
    window = evs if op.call.is_read else evs[:index]
    for check in (e for e in window if e.kind == "check"):
        for read in (r for k in check.reads for r in reads.get(k, [])):
            assert read.call is not None
            if table is not None and table == table_name(project, read.call, read.frame):
                continue  # the caller's own record of the same kind says nothing of another's
            held = key_value(project, read.call, read.frame)
            if held is None or Origin.PRINCIPAL not in held.origins():
                continue
            if wanted & {(s.origin, s.name) for s in request_sources(held)}:
                return True
    return False


def tied(
    project: Project, evs: list[Event], wanted: set[tuple[Origin, str]]
) -> set[tuple[Origin, str]]:
    """The request values tied to `wanted` by a checked read keyed by both: the device
    `(org_id, device_id)` that must exist ties `device_id` to `org_id`."""
    checked = {c for e in evs if e.kind == "check" for c in e.reads}
    held = [
        {(s.origin, s.name) for s in request_sources(k)}
        for r in evs
        if r.kind == "read" and r.call is not None and r.call.key in checked
        if (k := key_value(project, r.call, r.frame)) is not None
    ]
    grown = True
    while grown:  # each round adds a key's values, or stops
        grown = False
        for found in held:
            if found & wanted and not found <= wanted:
                wanted, grown = wanted | found, True
    return wanted


def covers(
    project: Project, check: Event, evs: list[Event], key: Value, op: DynamoCall | None
) -> bool:
    """Whether an owner check speaks for the object `op` addresses by `key`: it tested what
    this read returned, or an item read by the same request value (`owned_account(account_id)`
    says nothing of the body's `from_account`). A check of no read (`if user_id != me`) does."""
    if not check.reads or (op is not None and op.key in check.reads):
        return True
    wanted = tied(project, evs, {(s.origin, s.name) for s in request_sources(key)})
    for read in evs:
        if read.kind == "read" and read.call is not None and read.call.key in check.reads:
            held = key_value(project, read.call, read.frame)
            if held is None or wanted & {(s.origin, s.name) for s in request_sources(held)}:
                return True
            if op is not None and any(s.call == op.key for s in held.all_sources()):
                return True  # the item's parent (its `team_id`) was what the check tested
    return False
