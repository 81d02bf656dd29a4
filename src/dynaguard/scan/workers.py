"""Per-file work in worker processes that finishes even when a worker dies (S6).

`multiprocessing.Pool.imap` waits forever for the results of a worker that the
out-of-memory killer (or anyone) ended. Here the work goes through a
`ProcessPoolExecutor`, which notices a dead worker (BrokenProcessPool); the files whose
results did not come back are then done again one at a time in a fresh single worker, so
the one file that kills its worker again is known, and only it is reported as not read.
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
) -> tuple[list[R], str | None]:
    """`after(task(item))` for each item in order, and a note when a worker died.

    `task` runs in `jobs` forked workers, `after` in this process as results arrive.
    `task` must not raise (it reports per-file problems in its result); `lost(item)` is the
    result for an item whose worker died even when it was the only one in it.
    """
    results: dict[int, R] = {}
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        futures: dict[Future[list[R]], int] = {}
        try:
            for i in range(0, len(items), CHUNK):
                futures[pool.submit(_chunk, task, items[i : i + CHUNK])] = i
        except BrokenProcessPool:
            pass  # a worker died already: what was not submitted is done one by one below
        for future in as_completed(futures):
            try:
                chunk = future.result()
            except BrokenProcessPool:
                continue  # a worker died: every unfinished chunk ends here
            start = futures[future]
            for k, result in enumerate(chunk):
                results[start + k] = after(result)
    missing = [i for i in range(len(items)) if i not in results]
    if not missing:
        return [results[i] for i in range(len(items))], None
    for i, result in _one_by_one(task, [(i, items[i]) for i in missing], lost):
        results[i] = after(result)
    note = (
        f"a worker process died; the {len(missing)} file(s) whose results it had not returned "
        "were read again, one at a time"
    )
    return [results[i] for i in range(len(items))], note


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
