"""The fixpoint solver: cycles resolved completely, cut values never cached, any order."""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Callable

import pytest

from dynaguard.core.config import Config
from dynaguard.scan.fixpoint import Lattice, Solver, node_key
from dynaguard.scan.frames import Frame
from dynaguard.scan.index import Project
from dynaguard.scan.model import DynamoCall
from dynaguard.scan.provenance import Origin, Value

SETS: Lattice[frozenset[str]] = Lattice(
    bottom=frozenset(), cut=lambda: frozenset({"?"}), widen=lambda old, new: old | new
)


def project(text: str) -> Project:
    p = Project(Config())
    p.add_module("app.main", "app/main.py", ast.parse(textwrap.dedent(text)))
    p.link()
    return p


def key_of(p: Project, call: DynamoCall, frame: Frame | None = None) -> Value:
    fn = p.functions[call.function or ""]
    key = p.values.arg(call, "Key", frame or Frame(fn, p.module_of(fn)))
    assert key is not None
    found = key.field("id")
    assert found is not None
    return found


HEADER = """
import boto3
from fastapi import FastAPI

app = FastAPI()
table = boto3.resource("dynamodb").Table("items")
"""


def test_recursive_helper_is_resolved_completely() -> None:
    # the recursive call returns what the running call returns: a cycle iterated to a
    # fixpoint, not "unknown" (the old engine gave up on any function already on the chain)
    p = project(
        HEADER
        + """
def pick(key, n):
    if n == 0:
        return key
    return pick(key, n - 1)

@app.delete("/items/{item_id}")
def delete(item_id: str):
    table.delete_item(Key={"id": pick(item_id, 3)})
"""
    )
    (call,) = p.calls
    value = key_of(p, call)
    assert value.origins() == {Origin.PATH}
    assert not value.cut


def test_recursive_calls_bind_the_parameters_of_the_running_call() -> None:
    # the recursion folds onto the running call, so what the function passes to itself
    # flows into its parameters as well: here the key is item_id or, deeper, uuid4()
    p = project(
        HEADER
        + """
from uuid import uuid4

def pick(key, fallback, n):
    if n == 0:
        return key
    return pick(fallback, fallback, n - 1)

@app.delete("/items/{item_id}")
def delete(item_id: str):
    table.delete_item(Key={"id": pick(item_id, uuid4(), 3)})
"""
    )
    (call,) = p.calls
    assert key_of(p, call).origins() == {Origin.PATH, Origin.SERVER}


def test_mutual_recursion_is_resolved_completely() -> None:
    p = project(
        HEADER
        + """
def even(key, n):
    return key if n == 0 else odd(key, n - 1)

def odd(key, n):
    return even(key, n - 1)

@app.delete("/items/{item_id}")
def delete(item_id: str):
    table.delete_item(Key={"id": odd(item_id, 3)})
"""
    )
    (call,) = p.calls
    assert key_of(p, call).origins() == {Origin.PATH}


def test_deep_chain_is_marked_cut_and_not_cached_as_complete() -> None:
    chain = "\n".join(f"    a{i + 1} = a{i}" for i in range(120))
    p = project(
        HEADER
        + f"""
@app.delete("/items/{{item_id}}")
def delete(item_id: str):
    a0 = item_id
{chain}
    table.delete_item(Key={{"id": a120}})
"""
    )
    (call,) = p.calls
    value = key_of(p, call)
    assert value.cut
    assert Origin.PATH not in value.origins()
    expr = call.args["Key"]
    assert isinstance(expr, ast.Dict)
    fn = p.functions[call.function or ""]
    frame = Frame(fn, p.module_of(fn))
    at = node_key(expr.values[0])
    assert at is not None
    assert ("value", "app.main", at, frame.key) not in p.solver.done
    assert p.solver.stats.cuts > 0


CYCLE = (
    HEADER
    + """
from uuid import uuid4

@app.delete("/items/{item_id}")
def delete(item_id: str):
    a = item_id
    b = uuid4()
    c = "x"
    a = b
    b = c
    c = a
    table.delete_item(Key={"id": a})
    table.delete_item(Key={"id": c})
"""
)


def test_a_cycle_has_the_same_value_in_any_evaluation_order() -> None:
    # flow-insensitively a, b and c each hold item_id, uuid4() and "x". The old engine
    # answered a query met again while in progress with nothing and cached what it had:
    # asked for a first, it then gave c without uuid4() (and the other way round).
    every = {Origin.PATH, Origin.SERVER, Origin.CONSTANT}
    found = []
    for order in ((0, 1), (1, 0)):
        p = project(CYCLE)
        fn = p.functions["app.main:delete"]
        frame = Frame(fn, p.module_of(fn))  # one frame: what one query caches, the next reads
        values = {i: key_of(p, p.calls[i], frame) for i in order}
        assert values[0].origins() == every
        assert values[1].origins() == every
        found.append((values[0], values[1]))
    assert found[0] == found[1]


def test_solver_iterates_a_cycle_to_its_fixpoint() -> None:
    solver = Solver()
    graph = {"a": ["b"], "b": ["c", "a"], "c": ["a"]}
    own = {"a": "1", "b": "2", "c": "3"}

    def reach(node: str) -> Callable[[], frozenset[str]]:
        def compute() -> frozenset[str]:
            out = frozenset({own[node]})
            for nxt in graph[node]:
                out |= solver.solve(nxt, reach(nxt), SETS)
            return out

        return compute

    for start in ("c", "a", "b"):
        assert solver.solve(start, reach(start), SETS) == {"1", "2", "3"}
    assert solver.stats.cycles >= 1


def test_solver_widens_a_growing_cycle_and_stops() -> None:
    solver = Solver()

    def count() -> frozenset[str]:
        seen = solver.solve("n", count, SETS)
        return frozenset({str(len(seen))}) | seen

    value = solver.solve("n", count, SETS)
    assert solver.stats.widened > 0
    assert value  # it terminated, widened; flagged when even widening does not settle


def test_solver_bound_cuts_and_keeps_nothing_above_the_cut() -> None:
    solver = Solver(limit=5)

    def down(i: int) -> Callable[[], frozenset[str]]:
        if i == 20:
            return lambda: frozenset({"end"})
        return lambda: frozenset({str(i)}) | solver.solve(i + 1, down(i + 1), SETS)

    value = solver.solve(0, down(0), SETS)
    assert "?" in value and "end" not in value
    assert solver.done == {}
    # a question whose chain fits under the bound is complete, and kept
    assert solver.solve(17, down(17), SETS) == {"17", "18", "19", "end"}
    assert set(solver.done) == {17, 18, 19, 20}


def test_solver_asks_a_cut_query_once_per_outer_query() -> None:
    # Given a chain where each link asks its successor twice (`a.m().m()...`: the type of
    # the receiver, then the call's target), far deeper than the bound
    solver = Solver(limit=10)

    def down(i: int) -> Callable[[], frozenset[str]]:
        if i == 60:
            return lambda: frozenset({"end"})
        return lambda: (
            solver.solve(i + 1, down(i + 1), SETS) | solver.solve(i + 1, down(i + 1), SETS)
        )

    # When the head is asked, Then each link is computed once (2**60 without the reuse),
    # the answer is marked cut, and no cut result outlives the outer query
    assert "?" in solver.solve(0, down(0), SETS)
    assert solver.stats.computed <= 11
    assert solver.done == {}
    assert solver.solve(55, down(55), SETS) == {"end"}


def test_solver_is_clean_after_a_query_raises() -> None:
    solver = Solver()

    def member() -> frozenset[str]:  # depends on head: a tentative result of head's round
        return solver.solve("head", head, SETS) | {"stale"}

    def head() -> frozenset[str]:
        solver.solve("member", member, SETS)
        raise RecursionError

    with pytest.raises(RecursionError):
        solver.solve("head", head, SETS)
    assert solver.depth == 0
    assert solver.done == {}
    assert solver.solve("member", lambda: frozenset({"fresh"}), SETS) == {"fresh"}
