"""What a function assigns: flow-insensitive tables of local names (cached per function)."""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass, field

# Element of an iterable / unpacked tuple: a Subscript with a None slice stands for
# "some element of", so provenance flows through `for x in items` and `a, b = f()`.
_ELEMENT = ast.Constant(value=None)
ELEMENT = _ELEMENT  # the slice of `x[ELEMENT]`: one element of x (iterated or unpacked)


@dataclass(slots=True)
class Locals:
    """Assignments inside one function body (nested functions included)."""

    assigns: dict[str, list[ast.expr]] = field(default_factory=dict)
    # item["k"] = v  /  item.update({...}) (key None)  /  obj.attr = v  /  items.append(v)
    subscripts: dict[str, list[tuple[str | None, ast.expr]]] = field(default_factory=dict)
    attributes: dict[str, list[tuple[str, ast.expr]]] = field(default_factory=dict)
    returns: list[ast.expr] = field(default_factory=list)
    yields: list[ast.expr] = field(default_factory=list)
    awaited: set[int] = field(default_factory=set)  # id() of Call nodes directly awaited
    calls: list[ast.Call] = field(default_factory=list)  # in source order
    guards: list[ast.If | ast.Assert] = field(default_factory=list)  # if ...: raise/return
    defs: list[ast.AST] = field(default_factory=list)  # nested defs and lambdas, any depth
    # keys `d.pop("version")` takes out of a local dict (wherever it stands in the body)
    removed: dict[str, set[str]] = field(default_factory=dict)


KEYED = "keyed"  # tag of the one-entry dict standing for `d[expr] = v`
ELEMENTS = "[*]"  # Locals.subscripts key of what append/extend put in a list

_DEFS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda})
_INTERESTING = frozenset(
    {
        ast.Call,
        ast.Assign,
        ast.AnnAssign,
        ast.AugAssign,
        ast.NamedExpr,
        ast.For,
        ast.AsyncFor,
        ast.comprehension,
        ast.withitem,
        ast.Return,
        ast.Await,
        ast.Yield,
        ast.YieldFrom,
        ast.Assert,
        ast.If,
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.Lambda,
    }
)
# Nodes with nothing below them worth visiting: skipping them halves the walk.
_LEAVES = frozenset(
    {
        ast.Name,
        ast.Constant,
        ast.Load,
        ast.Store,
        ast.Del,
        ast.Pass,
        ast.Break,
        ast.Continue,
        ast.alias,
        ast.Global,
        ast.Nonlocal,
        str,
        int,
        type(None),
    }
    | {
        c
        for c in vars(ast).values()
        if isinstance(c, type)
        and issubclass(c, ast.operator | ast.cmpop | ast.unaryop | ast.boolop)
    }
)


def collect(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Module) -> Locals:
    """Walk a function (nested functions included) or a module's top level, once."""
    out = Locals()
    top = isinstance(node, ast.Module)
    stack: list[ast.AST] = list(reversed(node.body))
    fields = _NODE_FIELDS
    # An explicit stack over the node-bearing fields is about 3x as fast as ast.walk; the
    # order of visits (hence of every list in Locals) is the same as over `_fields`.
    while stack:
        sub = stack.pop()
        kind = type(sub)
        if kind in _LEAVES or (top and kind in _DEFS):
            continue  # a module's functions and classes are analysed on their own
        if kind in _INTERESTING:
            _visit(sub, out)
        names = fields.get(kind)
        if names is None:
            names = fields[kind] = tuple(f for f in kind._fields if f not in _SCALAR_FIELDS)
        for name in names:
            child = getattr(sub, name, None)
            if type(child) is list:
                stack.extend(child)  # leaves and None (dict `**`, kw_defaults) popped as no-ops
            elif child is not None:
                stack.append(child)
    out.calls.sort(key=_POSITION)
    return out


# Fields that never hold a node worth visiting (names, operators, flags); skipping them
# saves a getattr and a type test per field per node.
_SCALAR_FIELDS = frozenset(
    {
        "id",
        "arg",
        "attr",
        "name",
        "names",
        "ctx",
        "op",
        "ops",
        "kind",
        "type_comment",
        "level",
        "module",
        "is_async",
        "conversion",
        "simple",
        "kwd_attrs",
        "tag",
    }
)
_NODE_FIELDS: dict[type, tuple[str, ...]] = {}
_POSITION = operator.attrgetter("lineno", "col_offset")


def _visit(sub: ast.AST, out: Locals) -> None:
    if isinstance(sub, ast.Call):
        out.calls.append(sub)
        _mutation(sub, out)
    elif isinstance(sub, ast.Assign):
        for t in sub.targets:
            _bind(t, sub.value, out)
    elif isinstance(sub, ast.AnnAssign) and sub.value is not None:
        _bind(sub.target, sub.value, out)
    elif isinstance(sub, ast.AugAssign) and isinstance(sub.target, ast.Name):
        name = ast.copy_location(ast.Name(id=sub.target.id), sub.target)
        out.assigns.setdefault(sub.target.id, []).append(
            _made(ast.BinOp(left=name, op=sub.op, right=sub.value), sub, "aug")
        )
    elif isinstance(sub, ast.NamedExpr):
        _bind(sub.target, sub.value, out)
    elif isinstance(sub, ast.For | ast.AsyncFor | ast.comprehension):
        _bind(sub.target, _made(ast.Subscript(value=sub.iter, slice=_ELEMENT), sub.target), out)
    elif isinstance(sub, ast.withitem) and sub.optional_vars is not None:
        _bind(sub.optional_vars, sub.context_expr, out)
    elif isinstance(sub, ast.Return) and sub.value is not None:
        out.returns.append(sub.value)
    elif isinstance(sub, ast.Await) and isinstance(sub.value, ast.Call):
        out.awaited.add(id(sub.value))
    elif isinstance(sub, ast.Yield | ast.YieldFrom) and sub.value is not None:
        out.yields.append(sub.value)
    elif isinstance(sub, ast.Assert) or (
        isinstance(sub, ast.If)
        and (any(isinstance(s, ast.Raise | ast.Return) for s in sub.body) or _ends_in_call(sub))
    ):
        out.guards.append(sub)  # (an `if` ending in a call: flow keeps it if the callee raises)
    elif isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        out.defs.append(sub)


def _ends_in_call(node: ast.If) -> bool:
    """`if ...: deny("why")`: a branch ending in a call (a guard when the callee raises)."""
    last = node.body[-1] if node.body else None
    return isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)


def anchor(value: ast.expr) -> ast.expr:
    """The source node a set's value stands for (a made-up one-entry dict's value)."""
    if isinstance(value, ast.Dict) and vars(value).get("dg_tag") == KEYED:
        return value.values[0]
    return value


def _made(node: ast.expr, at: ast.AST, tag: str = "element") -> ast.expr:
    """A node the tables make up (`x += y` as `x + y`, a loop's element), placed where it
    stands in the source and tagged, so the fixpoint solver keys it apart from real nodes."""
    ast.copy_location(node, at)
    vars(node)["dg_tag"] = tag
    return node


def _bind(target: ast.expr, value: ast.expr, out: Locals) -> None:
    if isinstance(target, ast.Name):
        out.assigns.setdefault(target.id, []).append(value)
    elif isinstance(target, ast.Tuple | ast.List):
        for elt in target.elts:
            inner = elt.value if isinstance(elt, ast.Starred) else elt
            _bind(inner, _made(ast.Subscript(value=value, slice=_ELEMENT), inner), out)
    elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
        key = target.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            out.subscripts.setdefault(target.value.id, []).append((key.value, value))
        else:  # `key[self.range_key] = v`: a one-entry dict, its key worked out in context
            keyed = _made(ast.Dict(keys=[key], values=[value]), target, KEYED)
            out.subscripts.setdefault(target.value.id, []).append((None, keyed))
    elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
        out.attributes.setdefault(target.value.id, []).append((target.attr, value))


def _mutation(call: ast.Call, out: Locals) -> None:
    # item.update({...}) / item.update(k=v) / item.setdefault("k", v) change a dict's keys.
    f = call.func
    if not (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)):
        return
    name = f.value.id
    if f.attr == "update":
        for a in call.args:
            out.subscripts.setdefault(name, []).append((None, a))
        for kw in call.keywords:
            out.subscripts.setdefault(name, []).append((kw.arg, kw.value))
    elif f.attr in ("append", "extend") and len(call.args) == 1:
        # a list filled in place (`items.extend(page["Items"])`): its elements
        out.subscripts.setdefault(name, []).append((ELEMENTS, call.args[0]))
    elif f.attr == "pop" and call.args and isinstance(call.args[0], ast.Constant):
        if isinstance(call.args[0].value, str):
            out.removed.setdefault(name, set()).add(call.args[0].value)
    elif f.attr in ("setdefault", "__setitem__") and len(call.args) == 2:
        key = call.args[0]
        text = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
        out.subscripts.setdefault(name, []).append((text, call.args[1]))
