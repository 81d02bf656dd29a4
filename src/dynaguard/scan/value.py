"""Values as provenance sees them: origins, sources, dumps, and their join."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import Enum

from dynaguard.scan.fixpoint import CallKey, Lattice

CAP = 32  # sources kept per value: enough to judge, bounded for speed


class Origin(Enum):
    """Where a value comes from."""

    PATH = "path"
    QUERY = "query"
    HEADER = "header"
    COOKIE = "cookie"
    BODY = "body"
    REQUEST = "request"
    PRINCIPAL = "principal"
    SERVER = "server"  # uuid4(), clocks, counters, secrets
    CONSTANT = "constant"
    ITEM = "item"  # read back from DynamoDB
    PARAM = "param"  # a parameter no caller binds (unknown)
    UNKNOWN = "unknown"


SERVER_GENERATORS = frozenset(
    {
        "uuid1",
        "uuid4",
        "uuid6",
        "uuid7",
        "ulid",
        "new",
        "token_hex",
        "token_urlsafe",
        "token_bytes",
        "now",
        "utcnow",
        "today",
        "time",
        "time_ns",
        "monotonic",
        "nanoid",
        "generate",
        "ObjectId",
        "randbits",
        "getrandbits",
        "urandom",
    }
)
DUMP_METHODS = frozenset({"dict", "model_dump", "to_dict", "jsonable_encoder", "vars", "asdict"})
REQUEST_ORIGINS = frozenset(
    {Origin.PATH, Origin.QUERY, Origin.HEADER, Origin.COOKIE, Origin.BODY, Origin.REQUEST}
)


@dataclass(frozen=True, slots=True)
class Source:
    """One origin of a value, with the attribute/key path below it (`body.owner_id`)."""

    origin: Origin
    name: str
    path: tuple[str, ...] = ()
    model: str | None = None  # request body model class qualname
    call: CallKey | None = None  # the DynamoDB read it came from (DynamoCall.key), for ITEM

    def child(self, key: str) -> Source:
        """The source of `value.key` / `value["key"]`."""
        if self.origin is Origin.REQUEST and not self.path and key in ("state", "user"):
            # request.state.user (a middleware's), request.user (Starlette's backend's)
            return Source(Origin.PRINCIPAL, f"{self.name}.{key}")
        if self.origin in (Origin.CONSTANT, Origin.SERVER) or len(self.path) >= 4:
            return self
        return replace(self, path=(*self.path, key))

    @property
    def dotted(self) -> str:
        """`body.owner_id` as text."""
        return ".".join([self.name, *self.path])


@dataclass(frozen=True, slots=True)
class Dump:
    """A whole request model turned into a dict (`body.model_dump()`, `**body.dict()`)."""

    param: str
    model: str | None
    excluded: frozenset[str] = frozenset()
    included: frozenset[str] | None = None
    after: frozenset[str] = frozenset()  # keys a dict literal sets after spreading it
    before: frozenset[str] = frozenset()  # ... and before it: the dump's fields replace those


@dataclass(frozen=True, slots=True)
class Value:
    """The join of everything an expression may evaluate to."""

    sources: frozenset[Source] = frozenset()
    fields: tuple[tuple[str, Value], ...] | None = None  # known keys of a dict, last one wins
    dumps: tuple[Dump, ...] = ()
    texts: frozenset[str] = frozenset()  # its value when it is a statically known string
    strings: frozenset[str] = frozenset()  # every literal string that flowed into it
    none: bool = False  # may be None
    cut: bool = False  # cut short by the solver's bound: possibly incomplete
    # sources that reach DynamoDB only as bound values (`Attr("site").eq(site)`: boto3's
    # condition builders put `site` in ExpressionAttributeValues), never as expression text
    bound: frozenset[Source] = frozenset()
    # sources only some alternatives carry (`tenant or user.org_id`): the value may be
    # entirely what the others give
    optional: frozenset[Source] = frozenset()

    def origins(self) -> set[Origin]:
        """The origins of the value and of every known field."""
        out = {s.origin for s in self.sources}
        for _, v in self.fields or ():
            out |= v.origins()
        return out

    def all_sources(self) -> set[Source]:
        """Sources of the value and of its fields."""
        out = set(self.sources)
        for _, v in self.fields or ():
            out |= v.all_sources()
        return out

    def always(self, origin: Origin) -> bool:
        """Some source of this origin is in every alternative the value may take."""
        optional = self._all_optional()
        return any(s.origin is origin and s not in optional for s in self.all_sources())

    def _all_optional(self) -> set[Source]:
        out = set(self.optional)
        for _, v in self.fields or ():
            out |= v._all_optional()
        return out

    def without(self, keys: set[str]) -> Value:
        """The dict with these keys popped: gone from its known fields and its dumps."""
        fields = tuple(f for f in self.fields if f[0] not in keys) if self.fields else self.fields
        dumps = tuple(replace(d, excluded=d.excluded | keys) for d in self.dumps)
        return replace(self, fields=fields, dumps=dumps)

    def field(self, key: str) -> Value | None:
        """The value stored under a dict key, when known."""
        for k, v in reversed(self.fields or ()):
            if k == key:
                return v
        return None

    def keys(self) -> list[str]:
        """Known dict keys in order."""
        return list(dict.fromkeys(k for k, _ in self.fields or ()))

    @property
    def only_none(self) -> bool:
        """True when the value can only be None (an omitted condition)."""
        return (
            self.none
            and not self.texts
            and all(s.origin is Origin.CONSTANT for s in self.sources)
            and not self.fields
            and not self.dumps
        )


EMPTY = Value()
UNKNOWN = Value(frozenset({Source(Origin.UNKNOWN, "?")}))


def join(*values: Value) -> Value:
    """The union of several values (fields merge, later keys win)."""
    vals = [v for v in values if v is not EMPTY]
    if not vals:
        return EMPTY
    if len(vals) == 1:
        return vals[0]
    fields: list[tuple[str, Value]] | None = None
    for v in vals:
        if v.fields is not None:
            fields = [*(fields or []), *v.fields]
    return Value(
        _cap(vals),
        tuple(fields) if fields is not None else None,
        tuple(dict.fromkeys(d for v in vals for d in v.dumps)),
        frozenset(t for v in vals for t in v.texts) if len(vals) < 8 else frozenset(),
        frozenset(list(frozenset(s for v in vals for s in v.strings))[:64]),
        any(v.none for v in vals),
        any(v.cut for v in vals),
        _bound(vals),
        _optional(vals),
    )


def _optional(vals: list[Value]) -> frozenset[Source]:
    """Optional where no value holds the source for certain."""
    certain = {s for v in vals for s in v.sources - v.optional}
    return frozenset(s for v in vals for s in v.optional if s not in certain)


def _bound(vals: list[Value]) -> frozenset[Source]:
    """Bound only where every value holding the source binds it."""
    exposed = {s for v in vals for s in v.sources - v.bound}
    return frozenset(s for v in vals for s in v.bound if s not in exposed)


def either(*values: Value) -> Value:
    """One of several values (`read() or {"items": []}`, `a if c else b`): their join, where
    each field one of them knows may also be that field of an operand of unknown shape
    (`cart["items"]` is the read item's list or the literal's)."""
    out = join(*values)
    if len(values) > 1:  # what not every alternative holds, the others may do without
        held = [v.all_sources() for v in values]
        some = set().union(*held) - held[0].intersection(*held[1:])
        out = replace(out, optional=out.optional | frozenset(some))
    shapeless = frozenset(
        s for v in values if v.fields is None for s in v.sources if s.origin is not Origin.CONSTANT
    )
    if out.fields is None or not shapeless:
        return out
    extra = tuple(
        (k, join(out.field(k) or EMPTY, Value(frozenset(s.child(k) for s in shapeless))))
        for k in dict.fromkeys(name for name, _ in out.fields)
    )
    return replace(out, fields=(*out.fields, *extra))


def _cap(vals: list[Value]) -> frozenset[Source]:
    out: set[Source] = set()
    for v in vals:
        out |= v.sources
        if len(out) > CAP:
            break
    return frozenset(out)


def _widen(old: Value, new: Value) -> Value:
    """Past a few rounds of a cycle, keep the sources and drop what can grow without end."""
    merged = join(old, new)
    return replace(merged, fields=None, texts=frozenset())


def _same(old: Value, new: Value) -> bool:
    """Stable when a round adds nothing new: repeated dict entries are no new facts."""
    return old == new or _canonical(old) == _canonical(new)


def _canonical(v: Value) -> Value:
    if v.fields is None:
        return v
    seen: dict[tuple[str, Value], None] = {}
    for k, f in v.fields:
        pair = (k, _canonical(f))
        seen.pop(pair, None)
        seen[pair] = None  # the last occurrence decides which entry wins
    return replace(v, fields=tuple(seen))


value_lattice: Lattice[Value] = Lattice(
    bottom=EMPTY,
    cut=lambda: replace(UNKNOWN, cut=True),
    widen=_widen,
    same=_same,
    mark=lambda v: v if v.cut else replace(v, cut=True),
)


def overridden(value: Value, keys: Iterable[str], earlier: Iterable[str] = ()) -> Value:
    """The value with `keys` set after it (later in a dict literal, or `item["k"] = ...`):
    they replace what a dump of it carries; `earlier` keys it replaces itself."""
    later, first = frozenset(keys), frozenset(earlier)
    if not value.dumps or not (later or first):
        return value
    dumps = (replace(d, after=d.after | later, before=d.before | first) for d in value.dumps)
    return replace(value, dumps=tuple(dumps))


def constant_value(value: object) -> Value:
    """The value of a literal constant."""
    const = frozenset({Source(Origin.CONSTANT, type(value).__name__)})
    if isinstance(value, str):
        return Value(const, texts=frozenset({value}), strings=frozenset({value}))
    return Value(const, none=value is None)
