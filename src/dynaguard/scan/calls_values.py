"""Provenance of call expressions: reads, model dumps, generators, helpers, constructors."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

from dynaguard.scan.calls import OFFLOADED, offload_target
from dynaguard.scan.ctxvars import principal_context
from dynaguard.scan.fixpoint import call_key
from dynaguard.scan.frames import Frame, bound_arg
from dynaguard.scan.model import ClassRef, FunctionInfo
from dynaguard.scan.value import (
    DUMP_METHODS,
    EMPTY,
    SERVER_GENERATORS,
    Dump,
    Origin,
    Source,
    Value,
    join,
)
from dynaguard.scan.walk import nodes

if TYPE_CHECKING:
    from dynaguard.scan.protocols import ValuesAPI as Values

SERVER_MODULES = ("uuid", "time", "datetime", "secrets", "ulid", "os", "random", "nanoid", "bson")
KEEP_TEXT = frozenset({"str", "strip", "lower", "upper", "format_map"})
COPIES = frozenset({"dict", "copy", "deepcopy", "model_copy", "asdict", "_asdict"})
# `self.model(**data, id=...)`: a generic repository's model class, called as a constructor
RECORD_FACTORIES = frozenset({"model", "model_class", "model_cls", "schema"})
# Iteration helpers: what flows out is still the dumped model's data.
ITERATORS = frozenset(
    {"items", "values", "keys", "enumerate", "zip", "list", "tuple", "sorted", "reversed", "iter"}
)


# boto3's condition builders: `Attr(name).eq(value)` names an attribute in the expression
# text and binds `value` as an ExpressionAttributeValue itself
CONDITION_BUILDERS = frozenset({"boto3.dynamodb.conditions.Key", "boto3.dynamodb.conditions.Attr"})


def call_value(vs: Values, e: ast.Call, frame: Frame) -> Value:
    """The provenance of a call's result (a condition builder's operands marked bound)."""
    found = _call_value(vs, e, frame)
    chain = [e]
    while isinstance(chain[-1].func, ast.Attribute) and isinstance(chain[-1].func.value, ast.Call):
        chain.append(chain[-1].func.value)
    if len(chain) < 2 or vs.dotted(chain[-1].func, frame) not in CONDITION_BUILDERS:
        return found
    names = join(*(vs.of(a, frame) for a in chain[-1].args[:1])).sources
    operands = [a for c in chain[:-1] for a in (*c.args, *(k.value for k in c.keywords))]
    bound = join(*(vs.of(a, frame) for a in operands)).sources - names
    return replace(found, bound=found.bound | (bound & found.sources))


def _call_value(vs: Values, e: ast.Call, frame: Frame) -> Value:
    f = e.func
    name = vs.dotted(f, frame)
    last = f.attr if isinstance(f, ast.Attribute) else name.rsplit(".", 1)[-1]
    if last == "get" and isinstance(f, ast.Attribute) and principal_context(vs.p, f.value, frame):
        return Value(frozenset({Source(Origin.PRINCIPAL, name)}))  # current_user.get()
    reads, here = vs.reads(), call_key(e, frame.module.name)
    read = reads.get(here)
    if read is None and here[1] is not None:
        # to_thread(table.get_item, Key=...), a forwarder's db(table.get_item, Key=...):
        # the read calls.py recorded for the worker thread
        read = reads.get((here[0], (*here[1][:4], here[1][4] + OFFLOADED)))
    if read is not None:
        table = read.handle.table or read.operation
        return Value(frozenset({Source(Origin.ITEM, table, call=read.key)}))
    if isinstance(f, ast.Attribute) and f.attr in DUMP_METHODS:
        return _dump(vs.of(f.value, frame), e)
    if isinstance(f, ast.Name) and last in (*DUMP_METHODS, "dict") and e.args:
        arg = vs.of(e.args[0], frame)
        if arg.dumps or _model_sources(arg):
            return _dump(arg, e)
    if last in SERVER_GENERATORS and (
        name.split(".")[0] in SERVER_MODULES or isinstance(f, ast.Name)
    ):
        return Value(frozenset({Source(Origin.SERVER, name or last)}))
    if isinstance(f, ast.Attribute) and f.attr == "get" and e.args:
        key = e.args[0]
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            recv = vs.of(f.value, frame)
            known = recv.field(key.value)
            found = Value(frozenset(s.child(key.value) for s in recv.sources), none=True)
            return known if known is not None else found
        recv = vs.of(f.value, frame)
        if recv.fields and not recv.sources and not recv.dumps:
            # `ALLOWED.get(choice, "name")` on a dict literal: one of its values or the
            # default; the client's key picks, it does not become the result
            rest = [vs.of(a, frame) for a in e.args[1:2]]
            found = join(*(v for _, v in recv.fields), *rest)
            return replace(found, fields=None, none=found.none or not rest)
    if isinstance(f, ast.Attribute) and f.attr in ("json", "form", "body"):
        recv = vs.of(f.value, frame)
        if any(s.origin is Origin.REQUEST and not s.path for s in recv.sources):
            return Value(frozenset({Source(Origin.BODY, f"request.{f.attr}()")}))
    # to_thread(f, x), run_in_threadpool(f, x), a forwarder's db(f, x): what f returns
    handed, offset = offload_target(vs.p, frame, e)
    if handed is not None:
        return _function(vs, handed, e, frame, offset)
    target = vs.target(e, frame)
    if isinstance(target, FunctionInfo):
        return _function(vs, target, e, frame)
    if isinstance(target, ClassRef):
        return _construct(vs, e, frame, target.qualname)
    if e.keywords and _record_like(e, last):
        return _construct(vs, e, frame)  # dict(**data, id=...), self.model(**data, id=...)
    if last == "sign_up" and _cognito_client(e.func, frame):
        # Cognito's answer: the `UserSub` it has just generated for the new user
        return Value(frozenset({Source(Origin.SERVER, "cognito-idp.sign_up")}))
    return _generic(vs, e, frame, last)


def _cognito_client(f: ast.expr, frame: Frame) -> bool:
    """`cognito.sign_up(...)` on a module's `boto3.client("cognito-idp", ...)`."""
    if not (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)):
        return False
    made = frame.module.globals.get(f.value.id, [])
    return any(
        isinstance(v, ast.Call)
        and bool(v.args)
        and isinstance(v.args[0], ast.Constant)
        and v.args[0].value == "cognito-idp"
        for v in made
    )


def _function(vs: Values, fn: FunctionInfo, e: ast.Call, frame: Frame, offset: int = 0) -> Value:
    # recursion (direct or mutual): the call returns what the running activation returns, a
    # cycle the solver iterates to a fixpoint (arguments are those of the outer call)
    inner = _running(frame, fn) or frame.enter(fn, e, vs.p.module_of(fn), offset)
    returns = vs.p.locals_of(inner).returns
    if not returns:
        return Value(frozenset({Source(Origin.CONSTANT, "None")}), none=True)
    return join(*(vs.of(r, inner) for r in returns))


def reentered(vs: Values, name: str, frame: Frame) -> list[Value]:
    """What a function's calls of itself pass for a parameter: the running frame stands for
    every activation below it (`_function` folds recursion onto it)."""
    assert frame.fn is not None
    fn = frame.fn
    if not vs.p.linked:
        vs.p.solver.volatile()  # the call sites are still being collected
        sites = [c for c in vs.p.callsites.get(fn.qualname, []) if c.callee == fn.qualname]
    else:
        if vs.recursive is None:
            vs.recursive = {}
            for q, found in vs.p.callsites.items():
                for c in found:
                    if c.callee == q:
                        vs.recursive.setdefault(q, []).append(c)
        sites = vs.recursive.get(fn.qualname, [])
    out: list[Value] = []
    for c in sites:
        bound = bound_arg(frame.enter(fn, c.node, frame.module, c.arg_offset), name)
        unbound = Value(frozenset({Source(Origin.PARAM, name)}))
        out.append(vs.of(bound[0], frame) if bound is not None else unbound)
    return out


def _running(frame: Frame, fn: FunctionInfo) -> Frame | None:
    """The frame on the call chain that already runs `fn`."""
    f: Frame | None = frame
    while f is not None:
        if f.fn is fn:
            return f
        f = f.caller
    return None


def _construct(vs: Values, e: ast.Call, frame: Frame, cls: str | None = None) -> Value:
    # Model(id=..., owner=...): a record whose fields are the keyword arguments.
    fields: list[tuple[str, Value]] = []
    spreads: list[Value] = []
    for kw in e.keywords:
        v = vs.of(kw.value, frame)
        if kw.arg is None:
            fields += list(v.fields or ())
            spreads.append(v)
        else:
            fields.append((kw.arg, v))
    positional = [vs.of(a, frame) for a in e.args]
    if cls is not None and positional and cls in vs.p.classes:
        # a NamedTuple's or a dataclass's fields, in the order the class declares them
        names = list(vs.p.classes[cls].fields)
        fields = [*zip(names, positional, strict=False), *fields]
    if cls is not None and not positional:
        given = {k for k, _ in fields}
        fields = [*_server_defaults(vs, cls, given, spreads), *fields]
    spreads = [replace(v, fields=None) for v in spreads]
    base = join(*spreads, *positional) if spreads or positional else EMPTY
    return replace(base, fields=tuple(fields), texts=frozenset())


def _record_like(e: ast.Call, last: str) -> bool:
    # unresolved callees that build a record from their keywords
    if last == "dict":
        return not e.args
    return isinstance(e.func, ast.Attribute) and last in RECORD_FACTORIES


def _server_defaults(
    vs: Values, cls: str, given: set[str], spreads: list[Value]
) -> list[tuple[str, Value]]:
    """Fields a model fills itself (`id: str = Field(default_factory=uuid4)`) when the
    call cannot have supplied them: not passed, and no spread may carry that key."""
    out: list[tuple[str, Value]] = []
    for info in vs.p.mro(cls):
        for name, value in info.fields.items():
            gen = _server_factory(value)
            if gen is None or name in given or any(_may_carry(vs, s, name) for s in spreads):
                continue
            given.add(name)
            out.append((name, Value(frozenset({Source(Origin.SERVER, gen)}))))
    return out


def _server_factory(value: ast.expr | None) -> str | None:
    """`Field(default_factory=uuid4)` / `field(default_factory=lambda: str(uuid4()))`."""
    if not isinstance(value, ast.Call):
        return None
    factory = next((k.value for k in value.keywords if k.arg == "default_factory"), None)
    if factory is None:
        return None
    body = factory.body if isinstance(factory, ast.Lambda) else factory
    for node in nodes(body):
        name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
        if name in SERVER_GENERATORS:
            return str(name)
    return None


def _may_carry(vs: Values, spread: Value, name: str) -> bool:
    """Whether a `**spread` may hold the key `name` (unknown shapes may hold anything)."""
    if spread.field(name) is not None:
        return True
    if not spread.dumps:
        return spread.fields is None
    for dump in spread.dumps:
        if dump.model is None:
            return True
        if any(name in info.fields for info in vs.p.mro(dump.model)):
            return True
    return False


def _generic(vs: Values, e: ast.Call, frame: Frame, last: str) -> Value:
    parts: list[Value] = []
    if isinstance(e.func, ast.Attribute):
        parts.append(vs.of(e.func.value, frame))
    parts += [vs.of(a, frame) for a in e.args]
    parts += [vs.of(k.value, frame) for k in e.keywords]
    v = join(*parts)
    if not v.sources and not v.fields:
        return Value(frozenset({Source(Origin.UNKNOWN, last or "call")}), strings=v.strings)
    if last in COPIES:
        return v
    if last in ITERATORS:
        return replace(v, fields=None, texts=frozenset())
    texts = v.texts if last in KEEP_TEXT and len(parts) == 1 else frozenset()
    return replace(v, fields=None, dumps=(), texts=texts, none=False)


def _model_sources(v: Value) -> list[Source]:
    return [s for s in v.sources if s.origin in (Origin.BODY, Origin.REQUEST) and not s.path]


def _dump(recv: Value, e: ast.Call) -> Value:
    excluded = _names(_kw(e, "exclude"))
    included = _names(_kw(e, "include")) if _kw(e, "include") is not None else None
    dumps = [
        Dump(
            s.name,
            s.model,
            frozenset(excluded),
            frozenset(included) if included is not None else None,
        )
        for s in _model_sources(recv)
    ]
    dumps += [replace(dd, excluded=dd.excluded | excluded) for dd in recv.dumps]
    return replace(recv, dumps=tuple(dumps), texts=frozenset())


def _kw(e: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in e.keywords if k.arg == name), None)


def _names(expr: ast.expr | None) -> set[str]:
    if isinstance(expr, ast.Set | ast.List | ast.Tuple):
        return {
            x.value for x in expr.elts if isinstance(x, ast.Constant) and isinstance(x.value, str)
        }
    if isinstance(expr, ast.Dict):
        return {
            k.value for k in expr.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)
        }
    return set()
