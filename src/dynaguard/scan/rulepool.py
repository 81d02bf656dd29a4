"""Rules run in forked worker processes over the index this process built once.

The index is linked here; each worker is forked from this process after that, so it reads
the linked project without pickling it, runs whole rules (a rule is the unit: its
findings and their order are the same wherever it runs) and sends back only findings and
the shapes its queries met. The queries' memo tables fill per worker, so work two rules
share is done once per worker that runs them: each worker takes one contiguous share of
the rules in id order, where neighbours ask most of the same queries (on 20 copies of the
fixtures, one rule per task cost 12.5 s of work in all, contiguous shares 10.4 s; one
process 8.9 s).

A rule that raises in a worker comes back as not run: `confine` runs it again in this
process, where the file to blame is found and set aside. A rule whose worker died even
when it ran alone (out of memory) is reported as stopped, not run here: it would take
the whole run with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

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


# what forked workers inherit: set by run() before the pool forks them
_SHARED: list[tuple[Project, set[str], list[Registered]]] = []


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

    share = -(-len(rules) // jobs)  # rounded up: one share per worker
    _SHARED.append((project, outside, rules))
    try:
        return workers.run(_one, list(range(len(rules))), jobs, lost=_lost, chunk=share)
    finally:
        _SHARED.clear()


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
