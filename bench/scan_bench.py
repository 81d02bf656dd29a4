"""Static scanner throughput, memory and start-up, on a large local tree.

    python3 bench/scan_bench.py                      # the installed site-packages
    python3 bench/scan_bench.py --tree DIR --lines 600000 --jobs 2
    python3 bench/scan_bench.py --synthetic 20 --jobs 2  # 20 copies of the fixture apps
    python3 bench/scan_bench.py --scaling 20,40,80,130 --jobs 2  # one row per tree size
    python3 bench/scan_bench.py --synthetic 20 --jobs 2 --warm --compare  # + cache, Bandit, Semgrep

Reports, each measured in a fresh child process (so peak RSS is that run's own):
- plain `ast.parse` of every file (read + parse, GC off as in the scanner): the baseline;
- `dynaguard.scan.scan` with the pre-filter (every file is syntax-checked, only files that
  can matter are indexed);
- the worst case: every file treated as relevant (parsed and indexed);
- a one-file `dynaguard scan --no-cache` including interpreter start-up (the pre-commit case);
- with `--warm`, a rescan of the unchanged tree answered from `.dynaguard_cache/`;
- with `--compare`, Bandit (`pip install bandit`) and Semgrep (`pip install semgrep`, with
  the local rules in bench/scan_semgrep_rules.yml: no registry download) on the same paths.
`--synthetic N` scans instead a tree built from N copies of the rule fixtures and the demo
apps (each copy its own package): code where nearly every file is FastAPI/DynamoDB, the
rules fire, and routes and module names repeat, as in a monorepo of similar services.
Figures go to stdout as a Markdown table; bench/scan.md records the latest ones.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n") + 1
    except OSError:
        return 0


def pick(tree: Path, budget: int | None) -> list[Path]:
    """Top-level entries of `tree` in name order until `budget` lines (all when None)."""
    chosen: list[Path] = []
    total = 0
    for entry in sorted(tree.iterdir()):
        if entry.name.startswith((".", "_")) or entry.name.endswith((".dist-info", ".egg-info")):
            continue
        if entry.is_dir():
            n = sum(_lines(p) for p in entry.rglob("*.py"))
        elif entry.suffix == ".py":
            n = _lines(entry)
        else:
            continue
        if n == 0:
            continue
        chosen.append(entry)
        total += n
        if budget is not None and total >= budget:
            break
    return chosen


def synthetic(into: Path, copies: int) -> list[Path]:
    """`copies` packages, each the rule fixtures plus the demo apps; returns their paths."""
    out = []
    for i in range(copies):
        pkg = into / f"svc{i:03d}"
        skip = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.copytree(REPO / "tests/scan/fixtures", pkg / "fixtures", ignore=skip)
        shutil.copytree(REPO / "src/dynaguard/demo", pkg / "demo", ignore=skip)
        (pkg / "__init__.py").write_text("", encoding="utf-8")
        out.append(pkg)
    return out


def child(mode: str, root: Path, paths: list[Path], jobs: int) -> dict[str, object]:
    """One measurement, run inside a fresh interpreter."""
    started = time.perf_counter()
    if mode == "parse":
        import ast
        import gc

        gc.disable()
        lines = files = 0
        for top in paths:
            for p in sorted(top.rglob("*.py")) if top.is_dir() else [top]:
                try:
                    text = p.read_bytes()
                    ast.parse(text)
                except (SyntaxError, ValueError, OSError, RecursionError):
                    pass
                lines += text.count(b"\n") + 1
                files += 1
        out: dict[str, object] = {"lines": lines, "files": files}
    else:
        import re

        from dynaguard.scan import files as scan_files
        from dynaguard.scan import scan

        if mode == "worst":
            scan_files.RELEVANT = re.compile(b"")  # every file relevant: parse and index all
            scan_files.relevant = lambda data: True  # (the pre-filter, searched in parts)
        # "fill" writes the cache entry that "warm" (an unchanged tree rescanned) then reads
        result = scan(paths, root=root, jobs=jobs, cache=mode in ("fill", "warm"))
        out = dict(result.stats)
        out["errors"] = len(result.errors)
        out["findings"] = len(result.findings)
    out["seconds"] = time.perf_counter() - started
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # the largest worker process (--jobs): forked from the scan, its RSS counts the pages it
    # still shares with it, so this and the scan's own peak overlap; they do not add up
    out["workers_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return out


def other_tool(tool: str, paths: list[Path]) -> dict[str, object] | None:
    """Bandit or Semgrep on the same paths (None when it is not installed)."""
    rules = Path(__file__).with_name("scan_semgrep_rules.yml")
    cmd = {
        "bandit": [sys.executable, "-m", "bandit", "-r", "-q", "-f", "json"],
        "semgrep": ["semgrep", "scan", "--metrics=off", "--json", "--config", str(rules)],
    }[tool]
    if tool == "semgrep" and shutil.which("semgrep") is None:
        return None
    # run through a fresh interpreter that reports the tool's own peak RSS on stderr
    wrap = "import resource, subprocess, sys; subprocess.run(sys.argv[1:]); print("
    wrap += "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)"
    argv = [sys.executable, "-c", wrap, *cmd, *map(str, paths)]
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=3600, check=False)
    secs = time.perf_counter() - started
    if not proc.stdout.strip().startswith("{"):
        return None  # not installed (`No module named bandit`) or it failed
    found = json.loads(proc.stdout).get("results", [])
    rss = int(proc.stderr.strip().splitlines()[-1]) / 1024
    return {"seconds": secs, "findings": len(found), "rss_mb": rss}


def run_child(mode: str, root: Path, paths: list[Path], jobs: int) -> dict[str, object]:
    """Run `child` in a new interpreter and return its figures."""
    cmd = [sys.executable, __file__, "--child", mode, "--root", str(root), "--jobs", str(jobs)]
    cmd += [str(p) for p in paths]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, check=True, timeout=1800, env=_installed_env()
    )
    figures: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return figures


def _installed_env() -> dict[str, str]:
    """This environment without PYTHONDONTWRITEBYTECODE (set in this sandbox): timed
    children import dynaguard from bytecode, as an installed copy does, instead of
    compiling ~100 modules from source (0.15 s) in every run."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def one_file(runs: int = 5) -> float:
    """Median wall time of `dynaguard scan FILE` (the pre-commit case), interpreter start-up
    included, with the bytecode cache an installed package has (a first run writes it)."""
    target = REPO / "src/dynaguard/scan/engine.py"
    env = _installed_env()
    # --no-cache: a warm .dynaguard_cache/ would answer the rescan without scanning
    cmd = [sys.executable, "-m", "dynaguard", "scan", "--no-cache", "-q", str(target)]
    subprocess.run(cmd, check=False, timeout=60, env=env, capture_output=True)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        done = subprocess.run(cmd, check=False, timeout=60, env=env, capture_output=True)
        times.append(time.perf_counter() - t)
        if done.returncode not in (0, 1):  # 1: findings; anything else is a failed scan
            raise SystemExit(f"one-file scan failed: {done.stderr.decode()[-500:]}")
    return statistics.median(times)


def main() -> None:
    """Measure and print the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--tree", type=Path, default=Path(sysconfig.get_paths()["purelib"]))
    ap.add_argument("--lines", type=int, default=None, help="take packages up to this many lines")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--synthetic", type=int, default=0, metavar="N", help="N fixture copies")
    ap.add_argument("--scaling", default="", metavar="N,N,...", help="synthetic sizes to compare")
    ap.add_argument("--warm", action="store_true", help="also a warm-cache rescan")
    ap.add_argument("--compare", action="store_true", help="also Bandit and Semgrep if installed")
    ap.add_argument("--child", default=None)
    ap.add_argument("--root", type=Path, default=None)
    ap.add_argument("paths", nargs="*", type=Path)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.root, args.paths, args.jobs)))
        return
    if args.scaling:
        scaling([int(n) for n in args.scaling.split(",")], args.jobs)
        return
    if args.synthetic:
        with tempfile.TemporaryDirectory(prefix="dynaguard-bench-") as tmp:
            paths = synthetic(Path(tmp), args.synthetic)
            what = f"{args.synthetic} copies of the fixtures and demo apps"
            print(f"tree: {what}, cpus: {os.cpu_count()}")
            modes: tuple[str, ...] = ("scan", "warm") if args.warm else ("scan",)
            measure(Path(tmp), paths, args.jobs, modes=modes, compare=args.compare)
        return
    paths = pick(args.tree, args.lines)
    print(f"tree: {args.tree} ({len(paths)} top-level entries), cpus: {os.cpu_count()}")
    every: tuple[str, ...] = ("scan", "worst", "warm") if args.warm else ("scan", "worst")
    measure(args.tree, paths, args.jobs, modes=every, compare=args.compare)
    print(f"\none-file scan incl. interpreter start (median of 5): {one_file():.3f} s")


def scaling(sizes: list[int], njobs: int) -> None:
    """One row per synthetic tree size: time, lines/s and time per line against the first."""
    print(f"synthetic trees of {sizes} copies, cpus: {os.cpu_count()}")
    head = "copies | lines | findings | parse s | scan s (1 job) | scan s (2 jobs) | lines/s"
    print(f"| {head} | time per line vs first | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    first: float | None = None
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="dynaguard-bench-") as tmp:
            paths = synthetic(Path(tmp), n)
            base = run_child("parse", Path(tmp), paths, 1)
            one = run_child("scan", Path(tmp), paths, 1)
            two = run_child("scan", Path(tmp), paths, njobs) if njobs > 1 else one
        lines = int(str(one["lines"]))
        secs = float(str(one["seconds"]))
        per_line = secs / lines
        first = first or per_line
        print(
            f"| {n} | {lines:,} | {one['findings']} | {float(str(base['seconds'])):.1f} "
            f"| {secs:.1f} | {float(str(two['seconds'])):.1f} | {lines / secs:,.0f} "
            f"| {per_line / first:.2f} | {float(str(one['rss_mb'])):.0f} |"
        )


def measure(
    tree: Path, paths: list[Path], njobs: int, modes: tuple[str, ...], compare: bool = False
) -> None:
    """Run every (mode, jobs) child and print the Markdown table."""
    base = run_child("parse", tree, paths, 1)
    rows = [("ast.parse only (GC off)", base, 1)]
    for mode, jobs in [(m, j) for m in modes for j in (1, njobs)]:
        if jobs == 1 and (mode, jobs) in [(r[0], r[2]) for r in rows]:
            continue
        if mode == "warm":
            run_child("fill", tree, paths, jobs)
        rows.append((mode, run_child(mode, tree, paths, jobs), jobs))
    if compare:
        for tool in ("bandit", "semgrep"):
            fig = other_tool(tool, paths)
            if fig is not None:
                fig["lines"] = base["lines"]
                rows.append((tool, fig, 1))
    seen: set[tuple[str, int]] = set()
    head = "run | jobs | lines | indexed files | findings | seconds | lines/s | x parse time"
    print(f"| {head} | peak RSS MB | largest worker RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, fig, jobs in rows:
        if (name, jobs) in seen:
            continue
        seen.add((name, jobs))
        secs = float(str(fig["seconds"]))
        lines = int(str(fig["lines"]))
        parsed = fig.get("parsed", fig.get("files", "-"))
        ratio = secs / float(str(base["seconds"]))
        print(
            f"| {name} | {jobs} | {lines:,} | {parsed} | {fig.get('findings', '-')} | {secs:.1f} "
            f"| {lines / secs:,.0f} | {ratio:.2f} | {float(str(fig['rss_mb'])):.0f} "
            f"| {_workers(fig, jobs)} |"
        )


def _workers(fig: dict[str, object], jobs: int) -> str:
    mb = float(str(fig.get("workers_rss_mb", 0)))
    return f"{mb:.0f}" if jobs > 1 and mb else "-"


if __name__ == "__main__":
    main()
