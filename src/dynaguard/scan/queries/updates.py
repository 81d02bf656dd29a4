"""What an update writes and what its condition names: UpdateExpression parsing for rules.

`set_attributes` answers for static expressions (`"SET #s = :s, updated_at = :now"`, with
ExpressionAttributeNames resolved), PynamoDB actions (`Model.state.set(...)`) and dynamic
expressions built from a dict's keys (`"SET " + ", ".join(f"#{k} = :{k}" for k in changes)`,
or parts appended in a loop over `changes.items()`): the dict's keys, as the callers that
reach the update pass them (`update_fields(order_id, {"status": "CLOSED"})`), are the
attributes it SETs.
"""

from __future__ import annotations

import ast
import re

from dynaguard.core.expressions import top_level_split, update_clauses
from dynaguard.scan.frames import Frame, Site, bound_arg
from dynaguard.scan.index import Project
from dynaguard.scan.model import ClassRef, DynamoCall, FunctionInfo, HandleKind
from dynaguard.scan.value import Dump
from dynaguard.scan.walk import nodes, walk

__all__ = [
    "STATE",
    "attribute_names",
    "condition_names",
    "pynamodb_actions",
    "set_attributes",
    "top_level_split",
    "update_clauses",
]

# workflow state attributes (status, order_status, stage...)
STATE = re.compile(r"(?i)^(status|state|stage|phase|lifecycle|\w+_(status|state|stage|phase))$")
WORD = re.compile(r"#?[A-Za-z_]\w*")
VIEWS = frozenset({"items", "keys"})  # `for k, v in changes.items()`: the keys are attributes
GROWS = frozenset({"append", "extend", "insert", "add"})  # parts.append(f"#{k} = :{k}")
# PynamoDB update actions on a model attribute: `Model.plan.set(v)`, `Model.credits.add(n)`,
# `Model.tags.append(xs)`, `Model.roles.delete(s)`; `Model.plan.remove()` takes no value
ACTIONS = frozenset({"set", "add", "append", "prepend", "delete", "remove"})


def attribute_names(project: Project, call: DynamoCall, site: Site) -> dict[str, str]:
    """ExpressionAttributeNames placeholders that resolve to one known name."""
    value = project.values.arg(call, "ExpressionAttributeNames", site.frame)
    return {
        k: next(iter(v.texts))
        for k, v in (value.fields if value else None) or ()
        if len(v.texts) == 1
    }


def set_attributes(project: Project, call: DynamoCall, site: Site) -> list[str]:
    """Attribute names an update SETs (placeholders resolved; PynamoDB `Model.attr.set`;
    the keys of the dict a dynamic expression is built from)."""
    if call.handle.kind is HandleKind.PYNAMODB_ITEM:
        actions = call.args.get("actions") or (call.positional[0] if call.positional else None)
        return [
            n.func.value.attr
            for n in (nodes(actions) if actions is not None else ())
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "set"
            and isinstance(n.func.value, ast.Attribute)
        ]
    expr = _argument(project, call, "UpdateExpression", site.frame)
    if expr is None:
        return []
    text = project.values.text(expr, site.frame)
    if text is None:
        return _dynamic_sets(project, expr, site.frame, frozenset())
    names = attribute_names(project, call, site)
    out: list[str] = []
    for verb, parts in update_clauses(text):
        if verb == "SET":
            for part in parts:
                left = part.split("=", 1)[0].strip()
                out.append(names.get(left, left))
    return out


def _argument(project: Project, call: DynamoCall, name: str, frame: Frame) -> ast.expr | None:
    """The expression passed as `name=`, directly or in a local dict spread into the call
    (`params = {"UpdateExpression": ...}; table.update_item(**params)`)."""
    if name in call.args:
        return call.args[name]
    loc = project.locals_of(frame)
    for spread in (s for s in call.spread if isinstance(s, ast.Name)):
        sets = [e for k, e in loc.subscripts.get(spread.id, []) if k == name]
        for d in (d for d in loc.assigns.get(spread.id, []) if isinstance(d, ast.Dict)):
            sets += [v for k, v in zip(d.keys, d.values, strict=True) if _is_text(k, name)]
        if sets:
            return sets[-1]
    return None


def _is_text(e: ast.expr | None, text: str) -> bool:
    return isinstance(e, ast.Constant) and e.value == text


Action = tuple[str, str, ast.expr | None, Frame]  # verb, attribute, value, the value's frame


def pynamodb_actions(project: Project, call: DynamoCall, site: Site) -> list[Action]:
    """(verb, attribute, value, frame) of each action a PynamoDB `item.update(actions=...)`
    takes: a list literal, a local list built by assignment, `+=`, `append` and `extend`,
    or such a list a caller passes in (`repo.apply(item, actions)`)."""
    if call.handle.kind is not HandleKind.PYNAMODB_ITEM or call.operation != "update_item":
        return []
    actions = call.args.get("actions") or (call.positional[0] if call.positional else None)
    return actions_of(project, actions, site.frame) if actions is not None else []


def actions_of(project: Project, expr: ast.expr, frame: Frame) -> list[Action]:
    """The actions a PynamoDB actions list holds (a literal, a local list, a caller's
    argument, a builder's returned list)."""
    return _actions(project, expr, frame, frozenset())


def _actions(project: Project, expr: ast.expr, frame: Frame, seen: frozenset[str]) -> list[Action]:
    """The actions `expr` holds in `frame`: its local list, the caller's argument for a
    parameter, a builder function's returned list (`actions=plan_actions(body)`); `seen`
    (the functions entered) stops a recursive builder."""
    loc = project.locals_of(frame)
    exprs = _built_from(expr, loc.assigns)
    names = {n.id for x in exprs for n in nodes(x) if isinstance(n, ast.Name)}
    exprs += [  # actions.append(Model.plan.set(body.plan)) / actions.extend([...])
        a
        for c in loc.calls
        if isinstance(c.func, ast.Attribute)
        and c.func.attr in GROWS
        and isinstance(c.func.value, ast.Name)
        and c.func.value.id in names
        for a in c.args
    ]
    out: list[Action] = []
    for n in (n for x in exprs for n in nodes(x)):
        if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)):
            continue
        attr = _model_attribute(project, n.func.value, frame)
        if n.func.attr in ACTIONS and attr is not None:
            out.append((n.func.attr, attr, n.args[0] if n.args else None, frame))
        elif n.func.attr in ACTIONS:  # `getattr(Model, field).set(value)` over a dict
            found = _dynamic_attrs(project, n.func.value, exprs, frame)
            out += [(n.func.attr, a, v, frame) for a, v in found]
    params = {a.arg for a in frame.fn.params} if frame.fn is not None else set()
    for name in sorted(names & params):  # the caller's list: its frame is one call up
        bound = bound_arg(frame, name)
        if bound is not None and bound[1] is not frame:
            out += _actions(project, bound[0], bound[1], seen)
    for call in (x for x in exprs if isinstance(x, ast.Call)):  # a builder's returned list
        fn = project.resolve_call_target(call, frame, project.types)
        if isinstance(fn, FunctionInfo) and fn.qualname not in seen:
            inner = frame.enter(fn, call, project.module_of(fn))
            for ret in project.locals_of(inner).returns:
                out += _actions(project, ret, inner, seen | {fn.qualname})
    return out


def _model_attribute(project: Project, node: ast.expr, frame: Frame) -> str | None:
    """`plan` of `Model.plan`, `Model.settings.role` or `Model.settings["role"]`: the
    top-level attribute a PynamoDB action changes (None: not a model class's attribute)."""
    attr: str | None = None
    while isinstance(node, ast.Attribute | ast.Subscript):
        if isinstance(node, ast.Attribute):
            attr = node.attr
        node = node.value
    if attr is None or not isinstance(node, ast.Name):
        return None
    sym = project.resolve_expr(node, frame.module)
    return attr if isinstance(sym, ClassRef) else None


def _dynamic_attrs(
    project: Project, node: ast.expr, exprs: list[ast.expr], frame: Frame
) -> list[tuple[str, ast.expr]]:
    """`getattr(Model, field)` with `field` a key of the dict the comprehension iterates
    (`[getattr(Profile, f).set(v) for f, v in changes.items()]`): every key it may hold,
    each with its value (`changes["role"]`)."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) == 2
        and isinstance(node.args[1], ast.Name)
        and isinstance(project.resolve_expr(node.args[0], frame.module), ClassRef)
    ):
        return []
    name = node.args[1].id
    loops: list[ast.comprehension | ast.For | ast.AsyncFor] = [
        n for x in exprs for n in nodes(x) if isinstance(n, ast.comprehension)
    ]
    if frame.fn is not None:
        loops += [n for n in walk(frame.fn.node) if isinstance(n, ast.For | ast.AsyncFor)]
    out: dict[str, ast.expr] = {}
    for loop in loops:
        first = loop.target.elts[0] if isinstance(loop.target, ast.Tuple) else loop.target
        if isinstance(first, ast.Name) and first.id == name:
            source = _iterated(loop.iter)
            value = project.values.of(source, frame)
            keys = [k for k, _ in value.fields or ()]
            keys += [f for d in value.dumps for f in _dumped(project, d)]
            for k in keys:  # each its own memo key (fixpoint.node_key reads `dg_tag`)
                made = ast.copy_location(ast.Subscript(source, ast.Constant(k)), node)
                vars(made)["dg_tag"] = f"[{k}]"
                out.setdefault(k, made)
    return list(out.items())


def _dynamic_sets(
    project: Project, expr: ast.expr, frame: Frame, seen: frozenset[str]
) -> list[str]:
    """The keys of the dicts a built UpdateExpression iterates, when it is a SET; built
    here or by a project function that returns it (`expr, names, values =
    set_clause({"status": s})`), whose loop runs over what this call passes."""
    fn = frame.fn
    if fn is None:
        return []
    loc = project.locals_of(frame)
    built = _built_from(expr, loc.assigns)
    out: list[str] = []
    for call in (n for x in built for n in nodes(x) if isinstance(n, ast.Call)):
        target = project.resolve_call_target(call, frame, project.types)
        if isinstance(target, FunctionInfo) and target.qualname not in seen:
            inner = frame.enter(target, call, project.module_of(target))
            for ret in project.locals_of(inner).returns:
                found = _dynamic_sets(project, ret, inner, seen | {target.qualname})
                out += [k for k in found if k not in out]
    words = [n.value for x in built for n in nodes(x) if isinstance(n, ast.Constant)]
    if not any(isinstance(w, str) and re.search(r"\bSET\b", w, re.I) for w in words):
        return out
    used = {n.id for x in built for n in nodes(x) if isinstance(n, ast.Name)}
    iters = [n.iter for x in built for n in nodes(x) if isinstance(n, ast.comprehension)]
    for loop in walk(fn.node):  # cached per tree, in ast.walk's order
        if isinstance(loop, ast.For | ast.AsyncFor) and _grows(loop, used):
            iters.append(loop.iter)
    for it in iters:
        value = project.values.of(_iterated(it), frame)
        out += [k for k, _ in value.fields or () if k not in out]
        out += [f for d in value.dumps for f in _dumped(project, d) if f not in out]
    return out


def _dumped(project: Project, dump: Dump) -> list[str]:
    """Top-level fields a dumped request model contributes (`body.model_dump(exclude=...)`)."""
    names = [
        stmt.target.id
        for cls in project.mro(dump.model or "")
        for stmt in cls.node.body
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
    ]
    return [
        n for n in names if n not in dump.excluded and (dump.included is None or n in dump.included)
    ]


def _is_len(e: ast.expr) -> bool:
    f = e.func if isinstance(e, ast.Call) else None
    return isinstance(f, ast.Name) and f.id == "len" and len(getattr(e, "args", ())) == 1


def _iterated(it: ast.expr) -> ast.expr:
    """The dict a loop iterates: `changes` for `changes.items()` / `changes.keys()`,
    `enumerate(changes)`, or the positions `range(len(changes))`."""
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) and it.func.attr in VIEWS:
        return it.func.value
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and len(it.args) == 1:
        inner = it.args[0]
        if it.func.id == "enumerate":
            return _iterated(inner)
        if it.func.id == "range" and _is_len(inner):
            assert isinstance(inner, ast.Call)
            return _iterated(inner.args[0])
    return it


def _built_from(expr: ast.expr, assigns: dict[str, list[ast.expr]]) -> list[ast.expr]:
    """The expression and the local assignments of every name it uses, transitively."""
    out: list[ast.expr] = []
    todo, seen = [expr], set[str]()
    while todo:
        node = todo.pop()
        out.append(node)
        for n in nodes(node):
            if isinstance(n, ast.Name) and n.id not in seen:
                seen.add(n.id)
                todo += assigns.get(n.id, [])
    return out


def _grows(loop: ast.For | ast.AsyncFor, names: set[str]) -> bool:
    """Whether a loop appends to one of the names (`parts.append(f"#{k} = :{k}")`)."""
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in GROWS
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id in names
        for stmt in loop.body
        for n in nodes(stmt)
    )


def condition_names(project: Project, call: DynamoCall, site: Site) -> set[str]:
    """Attribute names a condition mentions (text, placeholders, Attr(...), model attributes)."""
    arg = "condition" if call.handle.kind is HandleKind.PYNAMODB_ITEM else "ConditionExpression"
    expr = call.args.get(arg)
    if expr is None:
        return set()
    value = project.values.of(expr, site.frame)
    words = {w for s in value.strings | value.texts for w in WORD.findall(s)}
    words |= {n.attr for n in nodes(expr) if isinstance(n, ast.Attribute)}
    names = attribute_names(project, call, site)
    ean = project.values.arg(call, "ExpressionAttributeNames", site.frame)
    # names a builder made from a dict's keys (`names[f"#{k}"] = k`) are not known one by
    # one: its `#status` is read as the attribute it spells (the lenient reading)
    built = ean is not None and bool(ean.sources)
    spelled = {w[1:] for w in words if built and w.startswith("#") and w not in names}
    return words | {names[w] for w in words if w in names} | spelled
