"""`dynaguard report static.json probe.json`: join two JSON reports made separately.

The same join as `dynaguard check` (by route and class); with `--app module:app` the
probe-only findings point at their route's handler, as check does.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from dynaguard.cli.check import add_report_arguments
from dynaguard.cli.common import UsageError, load_app
from dynaguard.core.findings import EngineKind
from dynaguard.core.registry import RuleMeta
from dynaguard.core.result import Result


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of `dynaguard report`."""
    parser.add_argument("reports", nargs=2, metavar="REPORT.json", help="a scan and a probe report")
    parser.add_argument("--app", metavar="MODULE:APP", help="resolve probe-only routes' handlers")
    parser.add_argument(
        "--root", default=".", metavar="DIR", help="the scan's root (default: current directory)"
    )
    add_report_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Load both reports, join, render, exit code."""
    from dynaguard.cli import check
    from dynaguard.cli import scan as scan_cli
    from dynaguard.cli.rules import load_registry
    from dynaguard.core.correlate import join
    from dynaguard.core.registry import all_rules

    root = Path(args.root)
    if not root.is_dir():
        raise UsageError(f"--root {args.root}: not a directory")
    static, probe = _pair([_load(Path(name)) for name in args.reports])
    ns = check._scan_args(args)
    ns.paths = [str(root)]
    opts = scan_cli.options(ns)
    opts = replace(opts, root=root.resolve())
    handlers = check.handlers(load_app(args.app), root) if args.app else None
    load_registry()
    metas = tuple(r.meta for r in all_rules())
    joined = join(
        replace(static, rules=static.rules or _used(metas, static)),
        replace(probe, rules=probe.rules or _used(metas, probe)),
        handlers,
    )
    return check.finish(joined, opts, quiet=bool(args.quiet))


def _load(path: Path) -> Result:
    from dynaguard.core.readback import ReportError, load

    try:
        return load(path)
    except ReportError as exc:
        raise UsageError(str(exc)) from None


def _pair(results: list[Result]) -> tuple[Result, Result]:
    engines = [r.engine for r in results]
    if sorted(e.value for e in engines) != ["probe", "static"]:
        found = " and ".join(e.value for e in engines)
        raise UsageError(f"give one scan and one probe JSON report (got {found})")
    static = results[0] if engines[0] is EngineKind.STATIC else results[1]
    probe = results[1] if static is results[0] else results[0]
    return static, probe


def _used(metas: tuple[RuleMeta, ...], result: Result) -> tuple[RuleMeta, ...]:
    """A JSON report lists no rules: the registry's, for the rules its findings name."""
    rules = {f.rule for f in result.findings}
    return tuple(m for m in metas if m.id in rules)
