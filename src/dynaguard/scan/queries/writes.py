"""Writes and where their integrity decision is taken (DG101, DG102).

A project's repository helpers (`repo.save_order(order)`, `self.create_item(item)`) wrap
`put_item`/`update_item`/`delete_item` and take no decision of their own: whether the write
needs a condition depends on what the CALLER read and checked before calling them. These
queries find that caller (the deepest function on the request's path that holds both the
read or check and the call that leads to the write) and report there, with the chain of
calls down to the DynamoDB operation as evidence.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace

from dynaguard.core.expressions import is_atomic_update
from dynaguard.core.findings import JSON, Confidence, Finding, Severity
from dynaguard.core.registry import RuleMeta
from dynaguard.scan.earlier import recomputed
from dynaguard.scan.flow import (
    CREDENTIAL,
    check_then_act,
    condition,
    events,
    item_value,
    key_value,
)
from dynaguard.scan.flow import _same_item as same_item
from dynaguard.scan.frames import Event, Frame, Site
from dynaguard.scan.index import Project
from dynaguard.scan.model import DynamoCall, HandleKind, Route
from dynaguard.scan.provenance import Origin, Value
from dynaguard.scan.queries.fresh import server_key
from dynaguard.scan.queries.locking import version_locked
from dynaguard.scan.queries.tags import type_tags
from dynaguard.scan.report import KEY_NAME, where
from dynaguard.scan.walk import nodes

OPS = ("put_item", "update_item", "delete_item")
ATOMIC_ACTIONS = ("add", "append", "prepend")  # PynamoDB actions that need no prior read


@dataclass(frozen=True, slots=True)
class Decision:
    """A caller that decides a write it reaches through helpers: the line of the call that
    leads to the write (`at`, in `path`), and the chain from there down to the write."""

    route: Route
    call: DynamoCall
    at: ast.Call
    path: str
    function: str | None
    chain: tuple[dict[str, JSON], ...]
    anchor: Event  # the read or check the caller took the decision on


def unconditional(project: Project, call: DynamoCall, site: Site) -> bool:
    """The write carries no condition on this path (`if cond:` around it counts as one)."""
    if condition(project, call, site.frame) is not None:
        return False
    return not _narrowed(call, site.frame)


def _narrowed(call: DynamoCall, frame: Frame) -> bool:
    """`if condition: put_item(..., ConditionExpression=condition)`: never None there."""
    arg = "condition" if call.handle.kind is HandleKind.PYNAMODB_ITEM else "ConditionExpression"
    expr = call.args.get(arg)
    fn = frame.fn
    if not isinstance(expr, ast.Name) or fn is None:
        return False
    return any(
        isinstance(node, ast.If)
        and _truthy_test(node.test, expr.id)
        and any(n is call.node for stmt in node.body for n in nodes(stmt))
        for node in nodes(fn.node)
    )


def _truthy_test(test: ast.expr, name: str) -> bool:
    if isinstance(test, ast.Name):
        return test.id == name
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == name
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.IsNot)
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    )


def stepped_in_python(project: Project, call: DynamoCall, site: Site) -> frozenset[str]:
    """Attributes a put writes back after computing them from their own read value
    (`usage.exports = usage.exports + 1; usage.save()`, `item["n"] -= 1` then
    `put_item(Item=item)`): a lost update whatever check came before."""
    if call.operation != "put_item":
        return frozenset()
    f = call.node.func
    held = (
        f.value
        if call.handle.kind is HandleKind.PYNAMODB_ITEM and isinstance(f, ast.Attribute)
        else call.args.get("Item")
    )
    return recomputed(project, held.id, site.frame) if isinstance(held, ast.Name) else frozenset()


def atomic(project: Project, call: DynamoCall, site: Site) -> bool:
    """An update that only increments, appends or adds: it needs no condition."""
    if call.operation != "update_item":
        return False
    if call.handle.kind is HandleKind.PYNAMODB_ITEM:
        actions = call.args.get("actions") or (call.positional[0] if call.positional else None)
        return (
            isinstance(actions, ast.List)
            and bool(actions.elts)
            and all(
                isinstance(a, ast.Call)
                and isinstance(a.func, ast.Attribute)
                and a.func.attr in ATOMIC_ACTIONS
                for a in actions.elts
            )
        )
    expr = call.args.get("UpdateExpression")
    text = project.values.text(expr, site.frame) if expr is not None else None
    return text is not None and is_atomic_update(text)


def judge(project: Project, call: DynamoCall, site: Site) -> tuple[Severity | None, str]:
    """Severity override (None: the rule's) and the reason an unconditioned write is lost."""
    if call.operation == "delete_item":
        return None, "the item is deleted whatever state it reached since it was checked"
    item = item_value(project, call, site.frame)
    if item is not None and Origin.ITEM in item.origins():
        return (
            None,
            "read-modify-write: a concurrent update between the read and this write is lost",
        )
    # a fresh key names an item no earlier check can have looked at (a uniqueness check on
    # another attribute needs its own conditional item, not this put's condition)
    if server_key(project, call, site):
        return (
            Severity.LOW,
            "the key is server-generated but may repeat (a clock, a counter, or beside "
            "another key attribute): attribute_not_exists refuses to replace an item",
        )
    if site.route is not None and _existence_checked(project, site.route, call):
        return None, "the item's existence is checked first, but it can change before this write"
    if call.operation == "put_item":
        return None, "an existing item with this key is replaced whole (sibling attributes lost)"
    return None, "a concurrent write to the same item is silently overwritten (lost update)"


def _fresh_key(item: Value) -> bool:
    for name, value in item.fields or ():
        origins = value.origins()
        if (
            KEY_NAME.match(name)
            and Origin.SERVER in origins
            and origins <= {Origin.SERVER, Origin.CONSTANT}
        ):
            return True
    return False


def _existence_checked(project: Project, route: Route, call: DynamoCall) -> bool:
    seen_check = False
    for ev in events(project, route):
        seen_check = seen_check or ev.kind == "check"
        if ev.node is call.node:
            return seen_check
    return False


# -- where the decision is taken -------------------------------------------------------


def _path(frame: Frame) -> list[Frame]:
    out: list[Frame] = []
    f: Frame | None = frame
    while f is not None:
        out.insert(0, f)
        f = f.caller
    return out


def _decision(route: Route, call: DynamoCall, anchor: Event, write: Event) -> Decision | None:
    """The caller holding both the anchor (read or check) and the call leading to the
    write; None when that is the write's own function (the finding stays at the call)."""
    wpath, apath = _path(write.frame), _path(anchor.frame)
    common = 0
    while common < min(len(wpath), len(apath)) and wpath[common] is apath[common]:
        common += 1
    if common == 0 or common >= len(wpath):
        return None
    below = wpath[common]
    if below.call is None:
        return None
    top = wpath[common - 1]
    chain: list[dict[str, JSON]] = []
    for f in wpath[common:]:  # each hop: the call line in the caller, and what it calls
        caller = f.caller
        chain.append(
            {
                "path": caller.fn.path if caller and caller.fn else f.module.path,
                "line": f.call.lineno if f.call is not None else 0,
                "function": caller.fn.qualname if caller and caller.fn else None,
                "calls": f.fn.qualname if f.fn else None,
            }
        )
    chain.append({"path": call.path, "line": call.line, "function": call.function})
    return Decision(
        route=route,
        call=call,
        at=below.call,
        path=top.fn.path if top.fn else top.module.path,
        function=top.fn.qualname if top.fn else None,
        chain=tuple(chain),
        anchor=anchor,
    )


def decides_own_condition(project: Project, call: DynamoCall) -> bool:
    """The write's own function writes a condition (not one its caller passes in)."""
    fn = project.functions.get(call.function or "")
    home = Frame(fn, project.modules[call.module])
    pynamo = call.handle.kind in (HandleKind.PYNAMODB_ITEM, HandleKind.PYNAMODB_MODEL)
    found = project.values.arg(call, "condition" if pynamo else "ConditionExpression", home)
    if found is None or found.only_none:  # a versioned PynamoDB model conditions itself
        return condition(project, call, home) is not None
    return Origin.PARAM not in found.origins()


def _check_then_act(project: Project, route: Route, call: DynamoCall) -> tuple[Event, Event] | None:
    """flow.check_then_act, with a PynamoDB condition's model attributes (`Post.status ==
    "draft"`) counted as re-asserted like the names in a ConditionExpression's text."""
    found = check_then_act(project, route, call)
    if found is not None and found[0].attrs <= type_tags(project):  # (found first: tags cost)
        found = check_then_act(project, route, call, type_tags(project))
    if found is not None and version_locked(project, call, found[1].frame):
        return None  # (a version the write steps and its condition holds to the read)
    if found is None or call.handle.kind is not HandleKind.PYNAMODB_ITEM:
        return found
    chk, write = found
    named = _model_attributes(project, call, write.frame)
    evs = events(project, route)
    rest = [
        c
        for c in evs[: evs.index(write)]
        if c.kind == "check"
        and c.attrs
        and not all(CREDENTIAL.search(a) for a in c.attrs)
        and same_item(project, evs, c, write)
    ]
    missed = [c for c in rest if not (c.attrs & named)]
    return (missed[0], write) if missed and chk in rest else None


def _model_attributes(project: Project, call: DynamoCall, frame: Frame) -> frozenset[str]:
    """Attribute names a PynamoDB `condition=` mentions (`Model.attr`, through a local)."""
    expr = call.args.get("condition")
    exprs = [expr] if expr is not None else []
    if isinstance(expr, ast.Name):
        exprs += project.locals_of(frame).assigns.get(expr.id, [])
    return frozenset(n.attr for e in exprs for n in nodes(e) if isinstance(n, ast.Attribute))


def check_then_act_at(
    project: Project, site: Site, call: DynamoCall
) -> tuple[Event, Event, Decision | None] | None:
    """DG102's (check, write) on this path, and the caller that decides it when the write
    sits in a helper that takes no decision of its own (None: report at the call)."""
    if site.route is None:
        return None
    found = _check_then_act(project, site.route, call)
    if found is None:
        return None
    chk, write = found
    if decides_own_condition(project, call):
        return chk, write, None
    return chk, write, _decision(site.route, call, chk, write)


def caller_writes(project: Project, call: DynamoCall, site: Site) -> list[Decision]:
    """Callers that read an item and write it back, or check its existence, then reach this
    unconditioned write through helpers (DG101 at the caller)."""
    route = site.route
    if route is None or decides_own_condition(project, call):
        return []
    evs = events(project, route)
    out: list[Decision] = []
    for i, ev in enumerate(evs):
        if ev.node is not call.node or condition(project, call, ev.frame) is not None:
            continue
        if atomic(project, call, Site(route, ev.frame)):
            continue
        item = item_value(project, call, ev.frame)
        if call.operation == "put_item" and item is not None and _fresh_key(item):
            continue  # a new item: nothing read can be lost (DG101 reports it at low)
        read_ids = (
            {s.call for s in item.all_sources() if s.origin is Origin.ITEM} if item else set()
        )
        anchors = [
            e
            for e in evs[:i]
            if e.kind == "read"
            and e.call is not None
            and e.call.key in read_ids
            and _writes_back(project, evs, e, ev)
        ]
        anchors += [
            e
            for e in evs[:i]
            if e.kind == "check" and not e.attrs and same_item(project, evs, e, ev)
        ]
        for anchor in anchors:
            found = _decision(route, call, anchor, ev)
            if found is not None and all(d.at is not found.at for d in out):
                out.append(found)
    return out


def _writes_back(project: Project, evs: list[Event], read: Event, write: Event) -> bool:
    """The write puts back the item read (whole, or keyed by its key), not another item
    that copies a value from it (a card that records its board's name)."""
    assert write.call is not None and read.call is not None
    rid = read.call.key
    item = item_value(project, write.call, write.frame)
    if write.call.operation == "put_item" and item is not None:
        if any(s.origin is Origin.ITEM and s.call == rid for s in item.sources):
            return True  # the read item itself, changed in Python
        read_key = key_value(project, read.call, read.frame)
        names = set(read_key.keys()) if read_key is not None else set()
        for name, value in item.fields or ():
            if name in names and any(
                s.origin is Origin.ITEM and s.call == rid for s in value.all_sources()
            ):
                return True  # a new dict keyed by the read item's key
    if write.call.handle.kind is HandleKind.PYNAMODB_ITEM and item is not None:
        return any(s.origin is Origin.ITEM and s.call == rid for s in item.sources)
    return same_item(project, evs, replace(read, kind="check", reads=frozenset({rid})), write)


def at_caller(
    rule: RuleMeta,
    decision: Decision,
    message: str,
    *,
    evidence: dict[str, JSON] | None = None,
    severity: Severity | None = None,
    confidence: Confidence | None = None,
) -> Finding:
    """A finding at the caller's line, with the chain down to the write as evidence."""
    call = decision.call
    ev: dict[str, JSON] = {
        "operation": call.operation,
        "write": {"path": call.path, "line": call.line, "function": call.function},
        "chain": list(decision.chain),
        decision.anchor.kind: where(decision.anchor),  # the read or check it rests on
    }
    if call.handle.table:
        ev["table"] = call.handle.table
    ev.update(evidence or {})
    anchor = f"{decision.function}>{call.function}:{call.operation}:{call.handle.table or ''}"
    return rule.finding(
        message=message,
        anchor=anchor,
        path=decision.path,
        line=decision.at.lineno,
        column=decision.at.col_offset + 1,
        end_line=decision.at.end_lineno,
        route=decision.route.label,
        evidence=ev,
        severity=severity,
        confidence=confidence,
    )
