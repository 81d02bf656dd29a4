"""Findings of two checkouts of the scanner on one tree: what a change added or removed.

    python3 bench/scan_findings_diff.py --before /path/to/old/src --after src TREE

Each side runs in a fresh interpreter with its own `src` first on PYTHONPATH; a finding is
(path, line, rule, severity, confidence). Prints each side's scan time, the counts, then
every difference.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
from pathlib import Path

CHILD = (
    "import json, sys, time; from pathlib import Path; from dynaguard.scan import scan; "
    "t = Path(sys.argv[1]); s = time.perf_counter(); r = scan([t], root=t); "
    "print(json.dumps({'seconds': time.perf_counter() - s, 'sites': sorted("
    "[f.path, f.line, f.rule, f.severity.value, f.confidence.value] for f in r.findings)}))"
)
Site = tuple[str, int, str, str, str]


def findings(src: Path, tree: Path) -> set[Site]:
    """The findings of the scanner under `src` on `tree` (prints its scan time)."""
    env = {**os.environ, "PYTHONPATH": str(src.resolve())}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(tree)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=3600,
    ).stdout
    data = json.loads(out)
    print(f"{src}: {data['seconds']:.2f} s")
    return {(a, b, c, d, e) for a, b, c, d, e in data["sites"]}


def main() -> None:
    """Print the difference."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--before", type=Path, required=True, help="the old checkout's src/")
    ap.add_argument("--after", type=Path, default=Path("src"))
    ap.add_argument("tree", type=Path)
    args = ap.parse_args()
    old, new = findings(args.before, args.tree), findings(args.after, args.tree)
    print(f"before {len(old)}, after {len(new)}, identical {len(old & new)}")
    print("removed by rule:", dict(collections.Counter(s[2] for s in old - new)))
    print("added by rule:", dict(collections.Counter(s[2] for s in new - old)))
    for sign, sites in (("-", old - new), ("+", new - old)):
        for s in sorted(sites):
            print(sign, *s)


if __name__ == "__main__":
    main()
