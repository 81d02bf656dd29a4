"""Per-file work in worker processes that finishes even when a worker dies (S6).

`multiprocessing.Pool.imap` waits forever for the results of a worker that the
out-of-memory killer (or anyone) ended. Here the work goes through a
`ProcessPoolExecutor`, which notices a dead worker (BrokenProcessPool); the files whose
results did not come back go to a fresh pool, and what that one loses too is done one file
at a time in a single worker, so the one file that kills its worker is known, and only it
is reported as not read.
Nothing is redone in this process: a file that exhausts memory would take the run with it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

CHUNK = 64  # files per task: fewer round trips, still fine-grained enough to spread the work
MAX_PER_CPU = 4
MAX_JOBS = 61  # ProcessPoolExecutor's limit on Windows; far more than reading files needs


def max_jobs() -> int:
    """The most worker processes a scan uses, whatever --jobs asks for."""
    return min((os.cpu_count() or 1) * MAX_PER_CPU, MAX_JOBS)


def run(
    task: Callable[[T], R],
    items: Sequence[T],
    jobs: int,
    *,
    lost: Callable[[T], R],
    after: Callable[[R], R] = lambda r: r,
    chunk: int = CHUNK,
) -> tuple[list[R], str | None]:
    """`after(task(item))` for each item in order, and a note when a worker died.

    `task` runs in `jobs` forked workers, `after` in this process as results arrive.
    `task` must not raise (it reports per-file problems in its result); `lost(item)` is the
    result for an item whose worker died even when it was the only one in it.
    """
    results: dict[int, R] = {}
    broke = False
    # A second pool for what the first lost: a worker killed from outside costs one retry
    # at full speed; a file that kills its worker again is then found one at a time.
    for _ in range(2):
        pending = [i for i in range(len(items)) if i not in results]
        if pending:
            broke |= not _pooled(
                task, items, pending, jobs=jobs, results=results, after=after, chunk=chunk
            )
    alone = [i for i in range(len(items)) if i not in results]
    for i, result in _one_by_one(task, [(i, items[i]) for i in alone], lost):
        results[i] = after(result)
    note = None
    if broke:
        note = "a worker process died; the files it had not returned were read again"
        note += f" ({len(alone)} of them one at a time)" if alone else ""
    return [results[i] for i in range(len(items))], note


def _pooled(
    task: Callable[[T], R],
    items: Sequence[T],
    todo: list[int],
    *,
    jobs: int,
    results: dict[int, R],
    after: Callable[[R], R],
    chunk: int,
) -> bool:
    """One pool over `todo`; False when a worker died (what it had not returned stays to do)."""
    broke = False
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        futures: dict[Future[list[R]], list[int]] = {}
        try:
            for k in range(0, len(todo), chunk):
                batch = todo[k : k + chunk]
                futures[pool.submit(_chunk, task, [items[i] for i in batch])] = batch
        except BrokenProcessPool:
            broke = True  # a worker died already: what was not submitted stays to do
        for future in as_completed(futures):
            try:
                got = future.result()
            except BrokenProcessPool:
                broke = True  # every unfinished chunk ends here
                continue
            for i, result in zip(futures[future], got, strict=True):
                results[i] = after(result)
    return not broke


def _chunk(task: Callable[[T], R], items: Sequence[T]) -> list[R]:
    return [task(item) for item in items]


def _one_by_one(
    task: Callable[[T], R], items: list[tuple[int, T]], lost: Callable[[T], R]
) -> Iterator[tuple[int, R]]:
    """Each item alone in a single worker: a death now is that item's doing (then a new one)."""
    context = multiprocessing.get_context("fork")
    pool: ProcessPoolExecutor | None = None
    try:
        for i, item in items:
            pool = pool or ProcessPoolExecutor(1, mp_context=context)
            try:
                yield i, pool.submit(task, item).result()
            except BrokenProcessPool:
                yield i, lost(item)
                pool.shutdown()
                pool = None
    finally:
        if pool is not None:
            pool.shutdown()
