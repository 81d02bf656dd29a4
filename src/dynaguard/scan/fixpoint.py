"""One fixpoint solver for every recursive query of the scanner (values, types, libraries).

A query is a `key` (a plain, value-based tuple: stable across runs and evaluation orders,
never an `id()`) and a `compute` function that may ask other queries. The solver:

- memoises a result only when it is complete: not computed on an assumption about a query
  still being evaluated (a cycle), and not cut short by the stack bound;
- resolves a cycle by iteration: the query re-entered starts at the lattice's bottom and is
  recomputed until its value is stable (`Lattice.same`); after `ROUNDS` rounds it widens
  (`Lattice.widen`), and if even that does not settle, the value is marked cut;
- bounds the stack (`LIMIT` nested queries): a query asked deeper gets `Lattice.cut()` and
  every query on the stack is then marked cut, so it is returned but never cached as
  complete (it is reused, still marked cut, only until the outermost query returns: else a
  chain that asks each link twice, `a.m().m()...`, re-walks it exponentially);
- does not keep a result that read facts still being collected (`volatile()`, while the
  project is linked), so nothing computed early has to be thrown away later.

Queries inside a cycle are remembered only for the current round of the cycle's head, so a
cycle costs a few rounds of its members, not an exponential re-walk.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar, cast

V = TypeVar("V")

LIMIT = 80  # nested queries: Python's own stack is the real bound
ROUNDS = 6  # rounds of a cycle before widening
_MISSING = object()
# positions inside f-strings (3.11): parts share the f-string's own location, not keyed
UNKEYED = (ast.Constant, ast.FormattedValue, ast.JoinedStr)


@dataclass(frozen=True, slots=True)
class Lattice(Generic[V]):
    """How a query's values start, compare, widen and are cut."""

    bottom: V
    cut: Callable[[], V]  # the value of a query asked beyond the stack bound
    widen: Callable[[V, V], V] = lambda old, new: new
    same: Callable[[V, V], bool] = lambda old, new: old == new
    mark: Callable[[V], V] = lambda v: v  # flag a value returned incomplete


@dataclass(slots=True)
class _Entry:
    key: Hashable
    index: int
    value: object  # the assumption other queries see while this one is computed
    low: int = 0  # the lowest stack index this round depended on
    cut: bool = False
    keep: bool = True  # read no fact still being collected
    hit: bool = False  # re-entered while being computed: a cycle through this query
    members: list[Hashable] = field(default_factory=list)  # tentative results to drop


@dataclass(slots=True)
class Stats:
    """What the solver did: for tests and profiles."""

    computed: int = 0
    hits: int = 0
    cycles: int = 0
    rounds: int = 0
    cuts: int = 0
    widened: int = 0


class Solver:
    """Memoised queries with cycles resolved to a fixpoint and a bounded stack."""

    def __init__(self, limit: int = LIMIT, rounds: int = ROUNDS) -> None:
        self.limit = limit
        self.rounds = rounds
        self.done: dict[Hashable, object] = {}
        self._tentative: dict[Hashable, tuple[object, int, bool]] = {}
        self._cut: dict[Hashable, object] = {}  # cut results, until the stack empties
        self._stack: list[_Entry] = []
        self._active: dict[Hashable, int] = {}
        self.stats = Stats()

    @property
    def depth(self) -> int:
        """How many queries are being computed."""
        return len(self._stack)

    def clear(self) -> None:
        """Forget every result (the facts the queries read have changed)."""
        self.done.clear()
        self._tentative.clear()
        self._cut.clear()

    def solve(self, key: Hashable, compute: Callable[[], V], lattice: Lattice[V]) -> V:
        """The value of query `key`, computed by `compute` unless already known."""
        found = self.done.get(key, _MISSING)
        if found is not _MISSING:
            self.stats.hits += 1
            return cast(V, found)
        if key in self._tentative:
            value, low, cut = self._tentative[key]
            self._depend(low, cut)
            return cast(V, value)
        if key in self._cut:
            self._depend(len(self._stack), True)
            return cast(V, self._cut[key])
        at = self._active.get(key)
        if at is not None:  # a cycle: answer with the current assumption
            entry = self._stack[at]
            entry.hit = True
            self._depend(at, False)
            return cast(V, entry.value)
        if len(self._stack) >= self.limit:
            self.stats.cuts += 1
            self._depend(len(self._stack), True)
            return lattice.cut()
        return self._compute(key, compute, lattice)

    def volatile(self) -> None:
        """The queries being computed read facts not yet complete: keep none of them."""
        for entry in self._stack:
            entry.keep = False

    def _depend(self, low: int, cut: bool) -> None:
        if self._stack:
            top = self._stack[-1]
            top.low = min(top.low, low)
            top.cut = top.cut or cut

    def _compute(self, key: Hashable, compute: Callable[[], V], lattice: Lattice[V]) -> V:
        index = len(self._stack)
        entry = _Entry(key, index, lattice.bottom, index)
        self._stack.append(entry)
        self._active[key] = index
        rounds = 0
        try:
            while True:
                entry.low, entry.cut, entry.hit, entry.keep = index, False, False, True
                self.stats.computed += 1
                value = compute()
                self._drop_members(entry)
                old = cast(V, entry.value)
                if not entry.hit or lattice.same(old, value):
                    break
                rounds += 1
                self.stats.rounds += 1
                if rounds == 1:
                    self.stats.cycles += 1
                if rounds > 2 * self.rounds:  # widening did not settle: give up, flagged
                    entry.cut = True
                    break
                if rounds >= self.rounds:
                    self.stats.widened += 1
                    value = lattice.widen(old, value)
                entry.value = value
        finally:  # also when compute raises: no tentative result outlives its round
            self._drop_members(entry)
            self._stack.pop()
            del self._active[key]
        if entry.low < index:  # computed on an outer query's assumption: valid this round
            self._tentative[key] = (value, entry.low, entry.cut)
            self._stack[entry.low].members.append(key)
        elif not entry.cut and entry.keep:
            self.done[key] = value
        elif entry.cut:
            self._cut[key] = value
        if not self._stack:
            self._cut.clear()
        self._depend(entry.low, entry.cut)
        if entry.cut and not self._stack:
            return lattice.mark(value)
        return value

    def _drop_members(self, entry: _Entry) -> None:
        for member in entry.members:
            self._tentative.pop(member, None)
        entry.members.clear()


NodeKey = tuple[int, int, int | None, int | None, str]
CallKey = tuple[str, NodeKey | None]  # a call node's module and node_key: stable, unlike id()


def call_key(node: ast.expr, module: str) -> CallKey:
    """A call's identity across the project: its module and its place there."""
    return (module, node_key(node))


def node_key(node: ast.expr) -> NodeKey | None:
    """A syntax node's stable identity within its module: its span and kind."""
    if isinstance(node, UNKEYED):
        return None
    try:
        return (
            node.lineno,
            node.col_offset,
            node.end_lineno,
            node.end_col_offset,
            type(node).__name__ + vars(node).get("dg_tag", ""),  # made-up nodes: locals._made
        )
    except AttributeError:  # a node a caller made up, without a place in a module
        return None
