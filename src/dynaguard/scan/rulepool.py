"""Rules run in forked worker processes over the index this process built once.

The index is linked here; then `jobs - 1` workers (at most MAX_PROCESSES - 1) are
forked from this process, so they read the linked project without pickling it, and this
process runs a share of the rules beside them. A rule is the unit: its findings and
their order are the same wherever it runs; a worker sends back only findings and the
shapes its queries met. The queries'
memo tables fill per process, so work two rules share is done once per process that runs
them: each process takes one contiguous share of the rules in id order, where neighbours
ask most of the same queries (on 20 copies of the fixtures: one rule per task cost 12.5 s
of work in all, contiguous shares 10.4 s, one process 8.9 s). With two processes the
share's boundary is found at run time: this process takes rules from the front, the
worker from the back, until they meet.

Memory: a forked worker shares this process's pages until it touches them, and reading
an object writes its reference count, so a worker ends up copying much of the index.
This process running a share itself, rather than waiting for `jobs` workers, saves one
such copy.

A rule that raises comes back as not run: `confine` runs it again in this process, where
the file to blame is found and set aside. A rule whose worker died even when it ran alone
(out of memory) is reported as stopped, not run here: it would take the run with it.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from multiprocessing.context import BaseContext
from typing import Any

from dynaguard.core.findings import Finding
from dynaguard.core.registry import Registered
from dynaguard.scan.index import Project

Shape = tuple[str, int, str]


@dataclass(slots=True)
class Ran:
    """One rule's outcome in a worker."""

    findings: list[Finding] | None  # None: it raised (run again in the parent) or died
    shapes: list[Shape] = field(default_factory=list)  # project.unknown_shapes it added
    truncated: list[Shape] = field(default_factory=list)  # project.truncated it added
    died: bool = False


# Each worker copies much of the index (above) and redoes the queries its rules share,
# so more processes cost memory in proportion and gain less and less: `--jobs 16` reads
# files in 16 processes, but runs the rules in 4.
MAX_PROCESSES = 4

# Forking and feeding workers costs about 0.3 s; the rules cost about 0.4 ms per DynamoDB
# call and route, of which workers save under half. Below this many calls and routes
# (measured on 2 copies of the fixtures, 2,200: even) the rules run in this process.
MIN_WORK = 2000


def worth(project: Project) -> bool:
    """Whether the project has enough for the rules to do that workers pay for themselves."""
    return len(project.calls) + len(project.routes) >= MIN_WORK


# what forked workers inherit: set by run() before the pool forks them
_SHARED: list[tuple[Project, set[str], list[Registered]]] = []
_ENDS: list[Any] = []  # the two processes' next rules (_two_ends), in shared memory
LOCK_WAIT = 10.0  # seconds; the lock is held for a few microseconds


def findings(rule: Registered, project: Project, outside: set[str]) -> list[Finding]:
    """One rule's findings in the scanned files (not in modules read for context)."""
    found = rule.check(project)
    if not isinstance(found, Iterator | list | tuple):
        return []
    return [f for f in found if f.path not in outside]


def run(
    project: Project, outside: set[str], rules: list[Registered], jobs: int
) -> tuple[list[Ran], str | None]:
    """Each rule's outcome, in the order of `rules`, and a note when a worker died."""
    from dynaguard.scan import workers

    size = -(-len(rules) // min(jobs, MAX_PROCESSES))  # rounded up: one share per process
    shares = [list(range(k, min(k + size, len(rules)))) for k in range(0, len(rules), size)]
    out: dict[int, Ran] = {}
    lost: list[int] = []
    _SHARED.append((project, outside, rules))
    try:
        context = multiprocessing.get_context("fork")
        if len(shares) == 2:
            lost = _two_ends(context, len(rules), out)
        else:
            lost = _static(context, shares, out)
        # what a dead worker did not return: again, then one rule at a time (workers)
        again, note = workers.run(_one, lost, 1, lost=_lost, chunk=1) if lost else ([], None)
        out.update(zip(lost, again, strict=True))
    finally:
        _SHARED.clear()
        _ENDS.clear()
    note = note or ("a worker process died" if lost else None)
    return [out[i] for i in range(len(rules))], note


def _two_ends(context: BaseContext, n: int, out: dict[int, Ran]) -> list[int]:
    """Two processes, taking rules from the two ends of the list until they meet: the
    shares balance themselves (on 20 copies of the fixtures the first half of the rules
    cost a fifth more than the second) and each is still a run of neighbours. The worker
    always runs the last rule: a rule that kills its worker is never run here first.
    Returns the rules a dead worker took."""
    ends = context.Array("i", [0, n - 2])  # next from the front, next from the back
    _ENDS[:] = [ends]
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        future = pool.submit(_from_back, n - 1)  # forks the worker before any rule runs here
        while (i := _claim(ends, front=True)) is not None:
            out[i] = replace(_one(i), shapes=[], truncated=[])  # its shapes are already here
        try:
            out.update(future.result())
        except BrokenProcessPool:
            pass  # every rule not run here was the worker's
        except Exception:  # a result that could not come back: run again in this process
            out.update((i, Ran(None)) for i in range(n) if i not in out)
    return [i for i in range(n) if i not in out]


def _claim(ends: Any, *, front: bool) -> int | None:
    """The next rule from one end, None when the two ends have met."""
    lock = ends.get_lock()
    held = lock.acquire(timeout=LOCK_WAIT)  # a worker killed holding it must not hang us
    try:
        low, high = ends[0], ends[1]
        if low > high:
            return None
        ends[0 if front else 1] = low + 1 if front else high - 1
        return int(low if front else high)
    finally:
        if held:
            lock.release()


def _from_back(last: int) -> list[tuple[int, Ran]]:
    done = [(last, _one(last))]
    while (i := _claim(_ENDS[0], front=False)) is not None:
        done.append((i, _one(i)))
    return done


def _static(context: BaseContext, shares: list[list[int]], out: dict[int, Ran]) -> list[int]:
    """One contiguous share per process; returns the rules of the workers that died."""
    lost: list[int] = []
    with ProcessPoolExecutor(len(shares) - 1, mp_context=context) as pool:
        # every worker is forked by the first submit (fork: not spawned on demand),
        # before this process's share starts changing the project's memo tables
        futures = {pool.submit(_share, s): s for s in shares[1:]}
        for i in shares[0]:  # its shapes are already in this project
            out[i] = replace(_one(i), shapes=[], truncated=[])
        for future, share in futures.items():
            try:
                out.update(zip(share, future.result(), strict=True))
            except BrokenProcessPool:
                lost += share
            except Exception:  # a result that could not come back (not picklable...):
                out.update((i, Ran(None)) for i in share)  # run again in this process
    return lost


def _share(indices: list[int]) -> list[Ran]:
    return [_one(i) for i in indices]


def _one(i: int) -> Ran:
    project, outside, rules = _SHARED[-1]
    shapes, cut = len(project.unknown_shapes), len(project.truncated)
    try:
        found = findings(rules[i], project, outside)
    except Exception:  # run again in the parent, which finds the file to blame
        return Ran(None)
    return Ran(found, project.unknown_shapes[shapes:], project.truncated[cut:])


def _lost(i: int) -> Ran:
    return Ran(None, died=True)
