"""What one request does, in order: reads, checks on what was read, and writes.

Rules about sequences (check-then-act, ownership) read `events(project, route)`; rules
about single calls read `condition`, `key_value` and `item_value` for a call in a frame.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from dynaguard.scan.aliases import table_name
from dynaguard.scan.dead_ends import dead_end
from dynaguard.scan.earlier import as_read
from dynaguard.scan.frames import Event, Frame
from dynaguard.scan.model import CallSite, DynamoCall, FunctionInfo, HandleKind, Route
from dynaguard.scan.partitions import beside_callers, other_items, own_key
from dynaguard.scan.paths import left_before
from dynaguard.scan.provenance import Origin, Source, Value, join
from dynaguard.scan.pynamo_index import pynamo_keys
from dynaguard.scan.reach import MAX_CONTEXTS
from dynaguard.scan.versions import version_attribute, versioned_write
from dynaguard.scan.walk import nodes

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

# A budget on one request's events, not a depth: call chains of any length are followed,
# each function inlined in at most MAX_CONTEXTS call paths (reach.py). A request that
# spends it keeps the events found so far, and is reported.
MAX_EVENTS = 400
# Verifying a password against its stored hash authenticates the caller; it is not state
# the write depends on, and no one re-asserts a hash in a ConditionExpression. (A content
# hash or ETag compared before a write is state: those names are not credentials.)
CREDENTIAL = re.compile(r"(?i)(password|passwd|pwd|secret|salt)")


def events(project: Project, route: Route) -> list[Event]:
    """The route's events: its dependencies' first, then the endpoint's, helpers inlined."""
    # the events depend on the endpoint and its dependencies only: routes that share them
    # share the list (a stable key, not the route's id())
    key = (route.function, tuple(dep.target for dep in route.all_dependencies))
    cache = project.events_cache
    if key in cache:
        return cache[key]
    fn = project.functions[route.function]
    start = Frame(fn, project.module_of(fn))
    out: list[Event] = []
    frames = []
    for dep in route.all_dependencies:
        dep_fn = project.functions.get(dep.target or "")
        if dep_fn is not None:
            frames.append(start.enter(dep_fn, None, project.module_of(dep_fn)))
    paths = cut = False
    for frame in [*frames, start]:
        more_paths, more_events = _walk(project, frame, out)
        paths, cut = paths or more_paths, cut or more_events
    if paths:  # a function's further call paths repeat its events: noted, not missing
        project.unknown_shapes.append(
            (
                route.file,
                route.line,
                f"{route.label}: a function reached by more than {MAX_CONTEXTS} call paths "
                "in one request; its events are read along the first of them",
            )
        )
    if cut:  # events no rule has seen: findings may be missing
        project.truncated.append(
            (
                route.file,
                route.line,
                f"{route.label}: more than {MAX_EVENTS} DynamoDB calls and checks in one "
                "request; the rest were not analysed",
            )
        )
    cache[key] = out
    return out


def _walk(project: Project, frame: Frame, out: list[Event]) -> tuple[bool, bool]:
    """The events of a frame in source order, each call of a project function inlined where
    it is made (depth first; explicit stack, so a long call chain cannot overflow Python's)."""
    stack = [_Walking(frame, _points(project, frame))]
    entered: dict[str, int] = {}
    paths = cut = False
    while stack:
        top = stack[-1]
        if top.next >= len(top.points):
            stack.pop()
            continue
        item = top.points[top.next]
        top.next += 1
        here = top.frame
        if isinstance(item, DynamoCall):
            kind = "write" if item.is_write else "read" if item.is_read else "other"
            out.append(Event(kind, here, item.node, item))
        elif isinstance(item, ast.If | ast.Assert):
            if isinstance(item, ast.If) and not _leaves(project, here, item):
                continue
            ev = _check(project, here, item)
            if ev is not None:
                out.append(ev)
        elif isinstance(item, CallSite) and item.callee not in top.chain:
            if len(out) > MAX_EVENTS:
                cut = True  # the rest of this request is not followed (reported)
                continue
            if entered.get(item.callee, 0) >= MAX_CONTEXTS:
                paths = True
                continue
            entered[item.callee] = entered.get(item.callee, 0) + 1
            callee = project.functions[item.callee]
            inner = here.enter(callee, item.node, project.module_of(callee), item.arg_offset)
            stack.append(_Walking(inner, _points(project, inner), top.chain | {callee.qualname}))
    return paths, cut


@dataclass(slots=True)
class _Walking:
    frame: Frame
    points: list[object]
    chain: frozenset[str] = frozenset()
    next: int = 0

    def __post_init__(self) -> None:
        if not self.chain:
            self.chain = frozenset(f.qualname for f in self.frame.chain())


def _points(project: Project, frame: Frame) -> list[object]:
    """A function's DynamoDB calls, calls of project functions and guards, in source order."""
    fn = frame.fn
    if fn is None:
        return []
    points: list[tuple[int, int, object]] = []
    for call in project.calls_in(fn):
        points.append((call.node.lineno, call.node.col_offset, call))
    for cs in project.callsites.get(fn.qualname, []):
        points.append((cs.node.lineno, cs.node.col_offset, cs))
    for node in project.locals_of(frame).guards:
        points.append((node.lineno, node.col_offset, node))
    points.sort(key=lambda p: (p[0], p[1]))
    return [item for _, _, item in points]


def _leaves(project: Project, frame: Frame, node: ast.If) -> bool:
    """Whether the branch leaves the function: it raises or returns, or ends in a call of a
    project function that always raises (`if ...: deny("not yours")`)."""
    if any(isinstance(s, ast.Raise | ast.Return) for s in node.body):
        return True
    last = node.body[-1] if node.body else None
    if not (isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)):
        return False
    callee = project.values.target(last.value, frame)
    return isinstance(callee, FunctionInfo) and any(
        isinstance(s, ast.Raise) for s in callee.node.body
    )


def _check(project: Project, frame: Frame, node: ast.If | ast.Assert) -> Event | None:
    value = _test_value(project, node.test, frame)
    items = [s for s in value.sources if s.origin is Origin.ITEM]
    if not items:
        return None
    attrs = frozenset(_attr(s) for s in items) - {""}
    principal = any(s.origin is Origin.PRINCIPAL for s in value.sources)
    return Event(
        "check",
        frame,
        node,
        attrs=attrs,
        principal=principal,
        reads=frozenset(s.call for s in items if s.call is not None),
    )


def _test_value(project: Project, test: ast.expr, frame: Frame) -> Value:
    parts = [project.values.of(n, frame) for n in nodes(test) if isinstance(n, ast.Compare)]
    parts.append(project.values.of(test, frame))
    out = join(*parts)
    # a Compare evaluates to a bool constant; its operands carry the sources
    for n in nodes(test):
        if isinstance(n, ast.Compare):
            out = join(out, *(project.values.of(x, frame) for x in [n.left, *n.comparators]))
    return join(out, as_read(project, test, frame))  # a field the function sets later


def _attr(s: Source) -> str:
    # resp["Item"]["owner"] -> owner; item.owner_id -> owner_id; resp["Item"] -> "" (existence)
    path = [p for p in s.path if p not in ("Item", "Items", "Attributes", "get")]
    return path[-1] if path else ""


# -- per-call facts -------------------------------------------------------------------


def condition(project: Project, call: DynamoCall, frame: Frame) -> Value | None:
    """The write's condition in this frame; None when absent (or only ever None)."""
    if call.handle.kind in (HandleKind.PYNAMODB_ITEM, HandleKind.PYNAMODB_MODEL):
        if version := version_attribute(project, call):  # PynamoDB adds `version = :read`
            return Value(strings=frozenset({version}))
        found = project.values.arg(call, "condition", frame)
    else:
        found = project.values.arg(call, "ConditionExpression", frame)
        # a boto3 builder (`Attr("owner").eq(me)`) names its own: the EAN/EAV are the update's
        if found is not None and not found.only_none and (found.texts or not found.bound):
            names = project.values.arg(call, "ExpressionAttributeNames", frame)
            if names is not None and names.fields is not None and found.texts:
                # the names the condition uses, not those only the UpdateExpression does
                names = join(*(v for k, v in names.fields if binds(found.texts, k)))
            values = project.values.arg(call, "ExpressionAttributeValues", frame)
            if values is not None and values.fields is not None and found.texts:
                # and the values it binds: `SET cancelled_by = :me` checks no owner
                values = join(*(v for k, v in values.fields if binds(found.texts, k)))
            found = join(found, *(v for v in (names, values) if v is not None))
    if found is None or found.only_none:
        return None
    return found


def binds(texts: frozenset[str], placeholder: str) -> bool:
    """Whether an expression's text uses `:name` (not merely `:name_2`, which starts alike)."""
    return any(re.search(re.escape(placeholder) + r"(?!\w)", t) for t in texts)


def key_value(project: Project, call: DynamoCall, frame: Frame) -> Value | None:
    """Where the key of a keyed operation comes from."""
    kind = call.handle.kind
    if kind is HandleKind.PYNAMODB_MODEL:
        parts = [project.values.of(a, frame) for a in call.positional[:2]]
        cond = project.values.arg(call, "range_key_condition", frame)
        if not parts:
            return None
        # Model.get(hash, range): name the values after the model's key attributes
        names = pynamo_keys(project, call.handle.table or "")
        fields = tuple(zip(names, parts, strict=False))
        return replace(join(*parts, *([cond] if cond else [])), fields=fields or None)
    if kind is HandleKind.PYNAMODB_ITEM:
        recv = call.node.func
        if not isinstance(recv, ast.Attribute):
            return None
        item = project.values.of(recv.value, frame)
        # the item's key attributes only: its other fields (and the `actions=` an
        # `item.update(...)` passes, which the locals read as a dict update) are no key
        names = pynamo_keys(project, call.handle.table or "")
        if not names or item.fields is None:
            return item
        return replace(item, fields=tuple((k, v) for k, v in item.fields if k in names))
    if call.operation == "query":
        kce = project.values.arg(call, "KeyConditionExpression", frame)
        eav = project.values.arg(call, "ExpressionAttributeValues", frame)
        if kce is not None and kce.texts and eav is not None and eav.fields is not None:
            # the values the key condition binds: a FilterExpression's own are no key
            used = {p for t in kce.texts for p in re.findall(r":\w+", t)}
            keyed = [v for k, v in eav.fields if k in used]
            eav = join(*keyed) if keyed else None
        parts = [v for v in (kce, eav) if v is not None]
        return join(*parts) if parts else None
    if call.operation == "put_item":
        return project.values.arg(call, "Item", frame)
    return project.values.arg(call, "Key", frame)


def item_value(project: Project, call: DynamoCall, frame: Frame) -> Value | None:
    """The attributes a put or update writes (Item=, the update's values, a model's fields)."""
    if call.handle.kind is HandleKind.PYNAMODB_ITEM:
        return key_value(project, call, frame)
    if call.operation == "put_item":
        return project.values.arg(call, "Item", frame)
    if call.operation == "update_item":
        return project.values.arg(call, "ExpressionAttributeValues", frame)
    return None


def mentions(value: Value, attrs: frozenset[str]) -> bool:
    """Whether a condition's literal text names any of the attributes."""
    for s in value.strings:
        words = set(re.findall(r"[A-Za-z_][\w]*", s))
        if words & attrs:
            return True
    return False


def check_then_act(
    project: Project, route: Route, call: DynamoCall, fixed: frozenset[str] = frozenset()
) -> tuple[Event, Event] | None:
    """(check, write) when the route checks a read item's attribute, then writes without
    re-asserting that attribute in the write's condition (`fixed`: attributes no write
    changes, whose checks cannot go stale)."""
    evs = events(project, route)
    for i, ev in enumerate(evs):
        if ev.kind != "write" or ev.node is not call.node:
            continue
        checks = [
            c
            for c in evs[:i]
            if c.kind == "check"
            and c.attrs
            and not all(CREDENTIAL.search(a) for a in c.attrs)
            and not c.attrs <= fixed
            and _same_item(project, evs, c, ev)
            and not left_before(c, ev)
            and not dead_end(c, ev)
        ]
        if not checks or versioned_write(project, call):
            return None  # (the version PynamoDB checks re-asserts all it read)
        cond = condition(project, call, ev.frame)
        for c in reversed(checks):  # the check nearest the write names what it decided on
            if cond is None or not mentions(cond, c.attrs):
                return c, ev
        return None
    return None


def _same_item(project: Project, evs: list[Event], check: Event, write: Event) -> bool:
    """Whether the write may target the item the check read (a parent check then a child
    write is not check-then-act: the write cannot re-assert another item's attribute)."""
    # reads before the check first: a generic repository's one `get_item` line serves the
    # credential lookup in the auth dependency and the route's later read of another table
    # (a read inside the checked expression itself, `if role_of(key) ...`, comes after it)
    upto = next((i for i, e in enumerate(evs) if e is check), len(evs))
    found = [
        (i, e)
        for i, e in enumerate(evs)
        if e.kind == "read" and e.call and e.call.key in check.reads
    ]
    reads = [e for i, e in found if i < upto] or [e for _, e in found]
    if not reads or write.call is None:
        return True
    for read in reads:
        assert read.call is not None
        rt, wt = (
            table_name(project, read.call, read.frame),
            table_name(project, write.call, write.frame),
        )
        if rt and wt and rt != wt:
            continue
        rk = key_value(project, read.call, read.frame)
        wk = key_value(project, write.call, write.frame)
        if wk is not None and other_items(project, read.call, read.frame, wk):
            continue  # members of the partition read, another kind of item written
        if wk is not None and beside_callers(project, read, evs[: upto + 1], wk):
            continue  # the caller's member item checked, another member's written
        if rk is None or wk is None or own_key(read.call, write.call, rk, wk):
            return True  # unknown, or the item read addressed by its own key attributes
        if write.call.handle.kind is HandleKind.PYNAMODB_ITEM and any(
            s.origin is Origin.ITEM and s.call == read.call.key for s in wk.sources
        ):
            return True  # the read item itself written (`post = Post.get(id); post.save()`)
        if write.call.operation == "put_item" and rk.fields and wk.fields is not None:
            # a put's key is the item's attributes named like the read's key (same schema);
            # with none of them, the item read spread into it (`{**item, ...}`) is the same
            # item, and any other item is judged by where all its values come from
            picked = [v for k, v in wk.fields if k in dict(rk.fields)]
            if not picked and any(
                s.origin is Origin.ITEM and s.call == read.call.key for s in wk.sources
            ):
                return True
            wk = join(*picked) if picked else wk
        moving = {Origin.CONSTANT, Origin.SERVER}
        r_src = {s for s in rk.all_sources() if s.origin not in moving}
        w_src = {s for s in wk.all_sources() if s.origin not in moving}
        if not w_src or (r_src and not (r_src & w_src)):
            continue  # a fresh key, or keyed by different request values
        if _differs_in_a_part(rk, wk, moving, read.call.key):
            continue  # composite keys that share the sort key but not the partition key
        return True
    return False


def _differs_in_a_part(rk: Value, wk: Value, moving: set[Origin], read: object) -> bool:
    """Whether a key attribute named in both keys comes from disjoint values (the caller's
    record read by `{id: principal, username: u}`, another one written by `{id: path, ...}`);
    the read item's own attribute of that name is the value it was read by."""
    for name in set(rk.keys()) & set(wk.keys()):
        r, w = rk.field(name), wk.field(name)
        assert r is not None and w is not None
        if _other_text(r, w) or _other_text(w, r):
            return True  # `SK = "META"` written, `SK = f"MEMBER#{uid}"` read
        r_src = {s for s in r.all_sources() if s.origin not in moving}
        w_src = {s for s in w.all_sources() if s.origin not in moving}
        own = all(
            s.origin is Origin.ITEM and s.call == read and s.path[-1:] == (name,) for s in w_src
        )
        if r_src and w_src and not (r_src & w_src) and not own:
            return True
    return False


def _other_text(a: Value, b: Value) -> bool:
    """`a` is fixed text (`"META"`) that `b` never is: another fixed text, or a template
    whose every literal part (`MEMBER#`) the text lacks."""
    if not a.texts or (b.texts and a.texts & b.texts):
        return False
    parts = b.texts or b.strings
    return bool(parts) and all(not any(p in t for p in parts) for t in a.texts)
