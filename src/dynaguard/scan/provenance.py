"""Value provenance: where a value that reaches a DynamoDB argument comes from.

A `Value` is the join of every way an expression can be computed, following local
assignments, parameters bound by the caller in the `Frame` chain (so a wrapper whose
callers decide the condition is judged per caller), project functions' return values,
instance attributes, module globals, f-strings and dict literals. Unknown stays unknown:
an unbound parameter is `Origin.PARAM`, anything unreadable `Origin.UNKNOWN`.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

from dynaguard.scan.branches import live
from dynaguard.scan.comprehensions import dict_comp
from dynaguard.scan.fixpoint import CallKey, node_key
from dynaguard.scan.frames import Frame, bound_arg
from dynaguard.scan.infer import is_param, marker_alias
from dynaguard.scan.local_sets import with_sets
from dynaguard.scan.locals import ELEMENT
from dynaguard.scan.model import ClassRef, DynamoCall, FunctionInfo, ParamSource, RouteParam
from dynaguard.scan.receivers import receiver_class
from dynaguard.scan.symbols import dotted
from dynaguard.scan.value import (
    DUMP_METHODS,
    EMPTY,
    REQUEST_ORIGINS,
    SERVER_GENERATORS,
    UNKNOWN,
    Dump,
    Origin,
    Source,
    Value,
    constant_value,
    either,
    join,
    overridden,
    value_lattice,
)

# the value model lives in value.py; rules and helpers import it from here as well
__all__ = [
    "DUMP_METHODS",
    "EMPTY",
    "REQUEST_ORIGINS",
    "SERVER_GENERATORS",
    "UNKNOWN",
    "Dump",
    "Origin",
    "Source",
    "Value",
    "Values",
    "join",
]

if TYPE_CHECKING:
    from dynaguard.scan.model import CallSite
    from dynaguard.scan.protocols import Project


_CHECKED = frozenset({Origin.ITEM, Origin.PRINCIPAL})  # what a comparison's result recalls
INJECTED = (ParamSource.PRINCIPAL, ParamSource.DEPENDENCY)  # the same for every route
_PARAM_ORIGIN = {
    ParamSource.PATH: Origin.PATH,
    ParamSource.QUERY: Origin.QUERY,
    ParamSource.HEADER: Origin.HEADER,
    ParamSource.COOKIE: Origin.COOKIE,
    ParamSource.BODY: Origin.BODY,
    ParamSource.FORM: Origin.BODY,
    ParamSource.REQUEST: Origin.REQUEST,
    ParamSource.PRINCIPAL: Origin.PRINCIPAL,
}


class Values:
    """Provenance queries over a project, solved by the project's fixpoint solver."""

    def __init__(self, project: Project) -> None:
        self.p = project
        self._reads: dict[CallKey, DynamoCall] = {}
        self._reads_of = 0  # how many of project.calls `_reads` has seen
        self.recursive: dict[str, list[CallSite]] | None = None  # calls of a function itself
        # where FastAPI takes each parameter, per (function, route path): else thousands of asks
        self._params: dict[tuple[str, str], dict[str, RouteParam]] = {}
        # a class's Depends() attributes (class-based views), asked at every `self.x`
        self._views: dict[str, dict[str, RouteParam]] = {}

    def of(self, expr: ast.expr, frame: Frame) -> Value:
        """The provenance of an expression evaluated in a frame."""
        at = node_key(expr)
        if at is None:  # an f-string's parts, a constant: cheap, and not keyed by position
            return self._eval(expr, frame)
        key = ("value", frame.module.name, at, frame.key)
        return self.p.solver.solve(key, lambda: self._eval(expr, frame), value_lattice)

    def text(self, expr: ast.expr, frame: Frame) -> str | None:
        """The one static string an expression evaluates to, if there is exactly one."""
        texts = self.of(expr, frame).texts
        return next(iter(texts)) if len(texts) == 1 else None

    def arg(self, call: DynamoCall, name: str, frame: Frame) -> Value | None:
        """A call argument's value; None when the call does not pass it at all."""
        found = [self.of(call.args[name], frame)] if name in call.args else []
        for spread in call.spread:
            v = self.of(spread, frame).field(name)
            if v is not None:
                found.append(v)
        return join(*found) if found else None

    def _eval(self, e: ast.expr, frame: Frame) -> Value:
        if isinstance(e, ast.Constant):
            return constant_value(e.value)
        if isinstance(e, ast.Name):
            return self._name(e.id, frame)
        if isinstance(e, ast.Attribute):
            return self._attribute(e, frame)
        if isinstance(e, ast.Subscript):
            return self._subscript(e, frame)
        if isinstance(e, ast.Call):
            return self._call(e, frame)
        if isinstance(e, ast.JoinedStr):
            return self._fstring(e, frame)
        if isinstance(e, ast.FormattedValue | ast.Await | ast.Starred | ast.NamedExpr):
            return self.of(e.value, frame)
        if isinstance(e, ast.Dict):
            return self._dict(e, frame)
        if isinstance(e, ast.BinOp):
            return self._binop(e, frame)
        if isinstance(e, ast.IfExp):
            return either(self.of(e.body, frame), self.of(e.orelse, frame))
        if isinstance(e, ast.BoolOp):
            return either(*(self.of(v, frame) for v in e.values))
        if isinstance(e, ast.List | ast.Tuple | ast.Set):
            vals = [self.of(x, frame) for x in e.elts]
            return replace(join(*vals), fields=None, texts=frozenset())
        if isinstance(e, ast.ListComp | ast.SetComp | ast.GeneratorExp):
            return replace(self.of(e.elt, frame), texts=frozenset())
        if isinstance(e, ast.DictComp):
            return dict_comp(self, e, frame)
        if isinstance(e, ast.Compare | ast.UnaryOp):
            # a bool, but it remembers what it compared: `return item["owner"] == user.id`
            # in a helper is still an ownership check where the caller tests it
            operands = [e.left, *e.comparators] if isinstance(e, ast.Compare) else [e.operand]
            inner = join(*(self.of(x, frame) for x in operands))
            kept = frozenset(s for s in inner.sources if s.origin in _CHECKED)
            return Value(frozenset({Source(Origin.CONSTANT, "bool"), *kept}))
        return UNKNOWN

    def _name(self, name: str, frame: Frame) -> Value:
        fn = frame.fn
        loc = self.p.locals_of(frame)
        if fn is not None and name in ("self", "cls") and fn.class_name and is_param(frame, name):
            recv = frame.call.func if frame.call is not None else None
            cls = self.p.classes.get(f"{fn.module}:{fn.class_name}")
            if cls is not None and cls.is_pynamodb and isinstance(recv, ast.Attribute):
                assert frame.caller is not None  # a PynamoDB item's own method: `self` is the
                return self.of(recv.value, frame.caller)  # item it was called on
            return Value(frozenset({Source(Origin.CONSTANT, "self")}))
        assigned = loc.assigns.get(name, []) if fn is not None or name in loc.assigns else []
        kwarg = fn.node.args.kwarg if fn is not None else None
        if kwarg is not None and kwarg.arg == name and not assigned:
            base = self._kwargs(frame)
        elif assigned:
            base = join(*(self.of(v, frame) for v in assigned))
        elif fn is not None and is_param(frame, name):
            base = join(self._param(name, frame), *self._reentered(name, frame))
        else:
            base = self._global(name, frame)
        base = base.without(loc.removed[name]) if name in loc.removed else base
        sets = live(self.p, frame, [*loc.subscripts.get(name, []), *loc.attributes.get(name, [])])
        return with_sets(self, base, sets, frame) if sets and fn is not None else base

    def _global(self, name: str, frame: Frame) -> Value:
        sym = self.p.resolve_name(name, frame.module)
        if isinstance(sym, tuple):
            mod = self.p.modules[sym[0]]
            return join(*(self.of(v, Frame(None, mod)) for v in mod.globals.get(sym[1], [])))
        if isinstance(sym, str) and sym.split(".")[-1] in SERVER_GENERATORS:
            return Value(frozenset({Source(Origin.SERVER, sym)}))
        return Value(frozenset({Source(Origin.UNKNOWN, name)})) if sym is None else EMPTY

    def _kwargs(self, frame: Frame) -> Value:
        """`**changes`: the keyword arguments its caller passed beyond the named ones."""
        fn, call = frame.fn, frame.call
        if fn is None or call is None or frame.caller is None:
            return Value(frozenset({Source(Origin.PARAM, "**")}))
        named = {a.arg for a in fn.params}
        fields = [
            (k.arg, self.of(k.value, frame.caller))
            for k in call.keywords
            if k.arg is not None and k.arg not in named
        ]
        spread = [self.of(k.value, frame.caller) for k in call.keywords if k.arg is None]
        fields = [*(f for v in spread for f in v.fields or ()), *fields]  # f(**params, k=v)
        return replace(join(*(v for _, v in fields), *spread), fields=tuple(fields))

    def _param(self, name: str, frame: Frame) -> Value:
        assert frame.fn is not None
        bound = bound_arg(frame, name)
        if bound is not None and frame.call is None:
            # a route's default (`status: str = "open"`): the client's value or the default; a
            # default naming a Path()/Query() marker (`note_id: str = NoteId`) is no value
            sent = self._entry_param(frame, name)
            if sent is not None:
                if marker_alias(self.p, bound[0], frame.module):
                    return sent
                return join(sent, self.of(bound[0], frame))
        if bound is not None:
            return self.of(bound[0], bound[1])
        if frame.call is None:  # an entry point: a route or a dependency FastAPI calls
            origin = self._entry_param(frame, name)
            if origin is not None:
                return origin
        return Value(frozenset({Source(Origin.PARAM, name)}))

    def _entry_param(self, frame: Frame, name: str) -> Value | None:
        from dynaguard.scan.params import params_of

        assert frame.fn is not None
        root = frame.chain()[0]
        if not self.p.linked:
            self.p.solver.volatile()  # the routes are still being collected
        route = self.p.route_of(root)
        if route is None and frame.caller is None and frame.fn.name == "__init__":
            # a class dependency's constructor, read for `self.user`: what FastAPI injects
            # is the same whichever route built it (its path parameters are not known)
            param = next((p for p in params_of(self.p, frame.fn, "") if p.name == name), None)
            return self._injected(param, frame) if param and param.source in INJECTED else None
        if route is None:
            return None
        paths = " ".join(route.full_paths or [route.path])  # a prefix may hold `{id}` too
        key = (frame.fn.qualname, paths)
        params = self._params.get(key)
        if params is None:
            params = {}
            for p in params_of(self.p, frame.fn, paths):
                params.setdefault(p.name, p)  # the first, as a scan in order finds it
            if self.p.linked:
                self._params[key] = params
        param = params.get(name)
        return self._injected(param, frame) if param is not None else None

    def _injected(self, param: RouteParam, frame: Frame) -> Value:
        """What FastAPI passes for a parameter: the request's value, the caller, or what
        a dependency function returns."""
        name = param.name
        if param.source is ParamSource.DEPENDENCY and param.dependency is not None:
            dep = self.p.functions.get(param.dependency.target or "")
            if dep is None:
                return Value(frozenset({Source(Origin.UNKNOWN, name)}))
            inner = frame.enter(dep, None, self.p.module_of(dep))
            return join(*(self.of(r, inner) for r in self.p.locals_of(inner).returns))
        origin = _PARAM_ORIGIN.get(param.source, Origin.UNKNOWN)
        return Value(frozenset({Source(origin, name, model=param.model)}))

    def _attribute(self, e: ast.Attribute, frame: Frame) -> Value:
        if (
            isinstance(e.value, ast.Name)
            and e.value.id == "self"
            and frame.fn
            and frame.fn.class_name
        ):
            return self._self_attr(frame.fn, e.attr, frame)
        base = self.of(e.value, frame)
        if e.attr == "__dict__" and base.fields is not None:
            return base  # `model.__dict__`: the record's own fields, as a dict
        known = base.field(e.attr)
        if known is not None:
            return known
        if not base.sources:
            sym = self.p.resolve_expr(e, frame.module)
            if isinstance(sym, tuple):
                return self._global(sym[1], Frame(None, self.p.modules[sym[0]]))
            return UNKNOWN
        return Value(frozenset(s.child(e.attr) for s in base.sources))

    def _self_attr(self, fn: FunctionInfo, attr: str, frame: Frame) -> Value:
        from dynaguard.scan.params import class_params

        cls = f"{fn.module}:{fn.class_name}"
        view = self._views.get(cls)
        if view is None or not self.p.linked:
            view = {p.name: p for p in class_params(self.p, fn)}
            self._views[cls] = view
        injected = view.get(attr)
        if injected is not None:  # a class-based view's `self.user` = Depends(current_user)
            return self._injected(injected, frame)
        recv = receiver_class(self.p, frame)  # a subclass's own `table_name = "members"`
        if recv is not None and recv != cls and self.p.classes.get(cls) in self.p.mro(recv):
            cls = recv
        for info in self.p.mro(cls):
            init = self.p.functions.get(info.methods.get("__init__", ""))
            values = info.init_attrs.get(attr, [])
            if values and init is not None:
                f = Frame(init, self.p.module_of(init))
                return join(*(self.of(v, f) for v in values))
            if attr in info.fields and info.fields[attr] is not None:
                value = info.fields[attr]
                assert value is not None
                return self.of(value, Frame(None, self.p.modules[info.module]))
        return Value(frozenset({Source(Origin.UNKNOWN, f"self.{attr}")}))

    def _subscript(self, e: ast.Subscript, frame: Frame) -> Value:
        base = self.of(e.value, frame)
        key = e.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            known = base.field(key.value)
            if known is not None:
                return known
            return Value(frozenset(s.child(key.value) for s in base.sources), none=base.none)
        if key is ELEMENT and base.fields and not base.sources and not base.dumps:
            # iterating (or unpacking) a dict literal yields its keys, not its values
            return Value(frozenset({Source(Origin.CONSTANT, "str")}), texts=frozenset(base.keys()))
        elems = [v for _, v in base.fields or ()]
        return replace(join(base, *elems), fields=None, texts=frozenset())

    def _fstring(self, e: ast.JoinedStr, frame: Frame) -> Value:
        parts = [self.of(v, frame) for v in e.values]
        texts: list[str] = [""]
        for p in parts:
            if len(p.texts) != 1:
                texts = []
                break
            texts = [t + next(iter(p.texts)) for t in texts]
        v = join(*parts)
        return replace(v, fields=None, dumps=(), texts=frozenset(texts), none=False)

    def _binop(self, e: ast.BinOp, frame: Frame) -> Value:
        left, right = self.of(e.left, frame), self.of(e.right, frame)
        texts: frozenset[str] = frozenset()
        if (
            isinstance(e.op, ast.Add)
            and left.texts
            and right.texts
            and len(left.texts) * len(right.texts) <= 16
        ):
            texts = frozenset(a + b for a in left.texts for b in right.texts)
        return replace(join(left, right), texts=texts, fields=None)

    def _dict(self, e: ast.Dict, frame: Frame) -> Value:
        fields: list[tuple[str, Value]] = []
        spreads: list[Value] = []
        for i, (k, v) in enumerate(zip(e.keys, e.values, strict=True)):
            val = self.of(v, frame)
            if k is None:
                texts = [str(c.value) if isinstance(c, ast.Constant) else "" for c in e.keys]
                val = overridden(val, texts[i + 1 :], texts[:i])
                fields += list(val.fields or ())
                spreads.append(replace(val, fields=None, texts=frozenset()))
            elif isinstance(k, ast.Constant) and isinstance(k.value, str):
                fields.append((k.value, val))
            elif len(named := self.of(k, frame).texts) == 1:  # `{self.hash_key: v}`
                fields.append((next(iter(named)), val))
            else:
                spreads.append(join(self.of(k, frame), val))
        strings = frozenset(
            k.value for k in e.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)
        )
        base = join(*spreads) if spreads else EMPTY
        inner = frozenset(t for _, v in fields for t in v.strings)
        return replace(base, fields=tuple(fields), strings=base.strings | strings | inner)

    def _call(self, e: ast.Call, frame: Frame) -> Value:
        from dynaguard.scan.calls_values import call_value

        return call_value(self, e, frame)

    def _reentered(self, name: str, frame: Frame) -> list[Value]:
        from dynaguard.scan.calls_values import reentered

        return reentered(self, name, frame)

    def reads(self) -> dict[CallKey, DynamoCall]:
        """DynamoDB reads by their stable key (DynamoCall.key)."""
        if not self.p.linked:
            self.p.solver.volatile()  # the calls are still being collected
        calls = self.p.calls
        if self._reads_of > len(calls):  # a new list: start again
            self._reads, self._reads_of = {}, 0
        for c in calls[self._reads_of :]:  # calls are only appended: add the new ones
            if c.is_read:
                self._reads[c.key] = c
        self._reads_of = len(calls)
        return self._reads

    def target(self, call: ast.Call, frame: Frame) -> FunctionInfo | ClassRef | None:
        """The project function or class a call runs."""
        return self.p.resolve_call_target(call, frame, self.p.types)

    def dotted(self, expr: ast.expr, frame: Frame) -> str:
        """The dotted name of a callee expression ('' when not a name)."""
        return dotted(expr, frame.module) or ""
