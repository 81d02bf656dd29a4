"""The probe zoo's status, case by case: expected vs found, left behind, errors, cost.

Not a test (the tests are tests/probe/zoo). Run from the repository root:
    PYTHONPATH=src:. python3 bench/probe_zoo_status.py [STYLE ...]
Starts the embedded DynamoDB, runs `--active` on every planted case and clean twin,
prints one line per case and, at the end, the GAPS entries for tests/probe/zoo/manifest.py.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

from dynaguard.demo.embedded import EmbeddedDynamoDB
from tests.probe.zoo.conftest import probe_zoo
from tests.probe.zoo.manifest import CASES, STYLES


def _gap(expected: set[tuple[str, str]], found: set[tuple[str, str | None]]) -> str:
    missed = sorted(f"{r} {p}" for r, p in expected - found)
    extra = sorted(f"{r} {p}" for r, p in found - expected)
    parts = ([f"misses {', '.join(missed)}"] if missed else []) + (
        [f"also reports {', '.join(extra)}"] if extra else []
    )
    return "; ".join(parts)


async def main(styles: list[str]) -> int:
    """Run every case of the chosen styles; print the table and the GAPS."""
    gaps: dict[tuple[str, str | None], str] = {}
    for style in styles:
        for bug, expected in CASES[style].items():
            started = time.monotonic()
            try:
                run = await probe_zoo(STYLES[style].make_app(bug))
            except Exception as exc:
                gaps[(style, bug)] = f"the run raised {type(exc).__name__}: {exc}"[:200]
                print(f"{style:9} {bug or 'clean':22} RAISED {gaps[(style, bug)]}")
                continue
            seconds = time.monotonic() - started
            why = [_gap(expected, run.pairs)] if run.pairs != expected else []
            if run.left_behind:
                why.append(f"leaves {len(run.left_behind)} object(s) behind")
            if run.result.errors:
                why.append(f"reports errors: {run.result.errors[0].message[:120]}")
            if run.result.stats.get("complete") is not True:
                why.append("says the run is incomplete")
            status = "ok" if not why else "; ".join(w for w in why if w)
            if why:
                gaps[(style, bug)] = status
            requests = run.result.stats.get("requests")
            print(f"{style:9} {bug or 'clean':22} {seconds:5.1f}s {requests!s:>4} req  {status}")
    print("\nGAPS = {")
    for (style, bug), why in gaps.items():
        print(f"    ({style!r}, {bug!r}): {why!r},")
    print("}")
    return 0


if __name__ == "__main__":
    with EmbeddedDynamoDB() as server:
        os.environ.update(server.env())
        sys.exit(asyncio.run(main(sys.argv[1:] or list(CASES))))
