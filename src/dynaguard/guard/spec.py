"""What the guard knows about a table (Spec) and one planned write (Plan): pure data, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from dynaguard.guard.types import Item, Value

_DESERIALIZER = TypeDeserializer()
_SERIALIZER = TypeSerializer()
DEFAULT_HISTORY = 8
MAX_HISTORY = 32


def deserialize_item(wire: Mapping[str, object]) -> Item:
    """DynamoDB typed item -> Python values (numbers as Decimal).

    Requests and successful answers go through the Table resource's client, which types and
    untypes values itself; error responses (ALL_OLD, cancellation reasons) stay typed.
    """
    # The wire shapes come from DynamoDB (or a checked cursor); TypeDeserializer validates them.
    return {k: _DESERIALIZER.deserialize(v) for k, v in wire.items()}  # type: ignore[arg-type]


def as_stored(item: Mapping[str, Value]) -> Item:
    """The item as DynamoDB gives it back (ints as Decimal, tuples as lists): create == get."""
    return deserialize_item({k: _SERIALIZER.serialize(v) for k, v in item.items()})


@dataclass(frozen=True, slots=True)
class Spec:
    """A table's name and the attributes the guard controls.

    `token` is the newest slot of the write history; `history` slots in all keep the tokens of
    the last `history` guarded writes, newest first (see history.py).
    """

    table_name: str
    key: tuple[str, ...]
    owner: str
    version: str
    token: str
    server_fields: frozenset[str] = field(default_factory=frozenset)
    history: int = DEFAULT_HISTORY
    readers: str | None = None
    editors: str | None = None

    @property
    def slots(self) -> tuple[str, ...]:
        """The history attributes, newest first: `_guard_token`, `_guard_token1`, ..."""
        return (self.token, *(f"{self.token}{i}" for i in range(1, self.history)))

    @property
    def sharing(self) -> tuple[str, ...]:
        """The declared readers/editors attributes."""
        return tuple(a for a in (self.readers, self.editors) if a)

    @property
    def managed(self) -> frozenset[str]:
        """Attributes no caller may set through an item body or changes."""
        base = {*self.key, self.owner, self.version, *self.slots, *self.sharing}
        return frozenset(base) | self.server_fields

    def strip(self, item: Mapping[str, Value]) -> Item:
        """The item as callers see it: no history slots, the version as an int."""
        hidden = set(self.slots)
        out = {k: v for k, v in item.items() if k not in hidden}
        version = out.get(self.version)
        if isinstance(version, Decimal) and version == version.to_integral_value():
            out[self.version] = int(version)
        return out


@dataclass(frozen=True, slots=True)
class Plan:
    """One planned write: the low-level operation, its parameters, and what it asserts.

    `produced` is the version the write creates when it is known in advance (create: 1, a
    pinned update: expected + 1); `retry_params` replace `params` after an attempt that may
    have applied (unversioned writes add "the history has not wrapped", see history.py).
    """

    kind: str  # create | update | delete | transfer | check
    op: str  # put_item | update_item | delete_item | (check: transactions only)
    params: dict[str, object]
    owner: str | None
    expected_version: int | tuple[int, ...] | None
    token: str | None
    item: Item | None = None  # create: the item as written
    produced: int | None = None
    retry_params: dict[str, object] | None = None
    has_when: bool = False
    shared: bool = False  # editors may write (update), readers may read


def version_of(item: Mapping[str, Value] | None, spec: Spec) -> int | None:
    """The item's version as an int, or None when absent."""
    raw = None if item is None else item.get(spec.version)
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
        return None
    return int(raw)


def check_owner(owner: str, what: str = "owner") -> str:
    """Owners are non-empty strings: an unauthenticated None must never match anything."""
    if not isinstance(owner, str) or not owner:
        raise ValueError(f"{what} must be a non-empty string")
    return owner


def members(item: Mapping[str, Value], attr: str | None) -> frozenset[str]:
    """The user ids in a readers/editors attribute (a string set or list), else empty."""
    raw = item.get(attr) if attr else None
    if isinstance(raw, set | frozenset | list | tuple):
        return frozenset(v for v in raw if isinstance(v, str))
    return frozenset()


def may_read(spec: Spec, item: Mapping[str, Value], user: str) -> bool:
    """The owner, an editor or a reader."""
    if item.get(spec.owner) == user:
        return True
    return user in members(item, spec.readers) | members(item, spec.editors)


def may_write(spec: Spec, item: Mapping[str, Value], user: str | None, shared: bool) -> bool:
    """The owner, or an editor for a shared update; None is the admin path (anyone)."""
    if user is None:
        return True
    return item.get(spec.owner) == user or (shared and user in members(item, spec.editors))


def key_of(spec: Spec, key: Mapping[str, Value]) -> Item:
    """The primary key: exactly the table's key attributes, none empty."""
    if not isinstance(key, Mapping) or set(key) != set(spec.key):
        raise ValueError(f"key must have exactly the attributes {list(spec.key)}")
    # DynamoDB refuses empty key strings and binaries (ValidationException, a 500 otherwise).
    if any(v is None or (isinstance(v, str | bytes | bytearray) and not v) for v in key.values()):
        raise ValueError("key attributes cannot be empty")
    return {k: key[k] for k in spec.key}
