"""Physical memory of a scan with its worker processes: the largest sum of their PSS.

    python3 bench/scan_pss.py TREE --jobs 2      # e.g. a tree from --synthetic 20

RSS counts the pages a forked worker still shares with the scan twice; PSS (proportional
set size) splits each shared page between its users, so the processes' PSS add up to the
memory they take. Linux only (`/proc/<pid>/smaps_rollup`), sampled every 0.2 s while the
scan runs in a child interpreter; prints the scan's wall time, findings and the peak sum.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

CHILD = (
    "import sys, time; from pathlib import Path; from dynaguard.scan import scan; "
    "t = Path(sys.argv[1]); s = time.perf_counter(); "
    "r = scan(sorted(t.iterdir()), root=t, jobs=int(sys.argv[2])); "
    "print(f'{time.perf_counter() - s:.2f} s, {len(r.findings)} findings')"
)


def _tree(pid: int) -> list[int]:
    """pid and its descendants."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # ended meanwhile
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += parents.get(p, [])
    return out


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            return next((int(line.split()[1]) for line in f if line.startswith("Pss:")), 0)
    except OSError:
        return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tree", type=Path)
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()
    cmd = [sys.executable, "-c", CHILD, str(args.tree), str(args.jobs)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    peak, processes = 0, 0
    deadline = time.monotonic() + 1800
    while proc.poll() is None and time.monotonic() < deadline:
        pids = _tree(proc.pid)
        total = sum(_pss_kb(p) for p in pids)
        if total > peak:
            peak, processes = total, len(pids)
        time.sleep(0.2)
    if proc.poll() is None:  # past the deadline: bounded like every loop here
        proc.kill()
    out, _ = proc.communicate(timeout=60)
    print(
        f"jobs {args.jobs}: {out.strip()}; peak summed PSS {peak / 1024:.0f} MB "
        f"over {processes} process(es)"
    )


if __name__ == "__main__":
    main()
