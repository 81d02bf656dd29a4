"""`dynaguard scan [PATH ...]`: run the static engine, filter, render, and set the exit code.

Order of work: validate every input (paths, config, baseline, rule ids, output) before
the scan starts, so bad input costs nothing and prints one line (exit 2); then scan;
then baseline, --min-severity (what is shown) and --fail-on (the exit code), render.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Protocol, cast

from dynaguard.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    check_output,
    write_output,
)
from dynaguard.core.config import Config, ConfigError
from dynaguard.core.findings import Severity
from dynaguard.core.result import Result

FORMATS = ("text", "json", "sarif", "markdown", "html", "junit", "gitlab")


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    """Validated flags: everything the run needs after parsing."""

    paths: tuple[Path, ...]
    root: Path
    fmt: str
    output: str | None
    config: Config
    fail_on: Severity | None
    min_severity: Severity
    baseline: frozenset[str] | None
    write_baseline: Path | None
    jobs: int
    cache: bool
    color: bool
    quiet: bool


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of `dynaguard scan`."""
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default .)")
    parser.add_argument("--format", default="text", help=f"one of {', '.join(FORMATS)}")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report here (atomic)")
    parser.add_argument(
        "--select", action="append", default=[], metavar="IDS", help="only these rules (DG101,DG1)"
    )
    parser.add_argument(
        "--ignore", action="append", default=[], metavar="IDS", help="skip these rules"
    )
    parser.add_argument(
        "--min-severity", metavar="LEVEL", help="show findings at or above (default info)"
    )
    parser.add_argument(
        "--fail-on", metavar="LEVEL", help="exit 1 on findings at or above (default high; 'none')"
    )
    parser.add_argument("--baseline", metavar="FILE", help="report only findings not in FILE")
    parser.add_argument(
        "--write-baseline", metavar="FILE", help="record today's findings in FILE; exit 0"
    )
    parser.add_argument("--config", metavar="FILE", help="default: [tool.dynaguard] discovered")
    parser.add_argument("--jobs", "-j", default="1", metavar="N", help="worker processes (0 = all)")
    parser.add_argument(
        "--no-cache", action="store_true", help="neither read nor write .dynaguard_cache/"
    )
    parser.add_argument("--no-color", action="store_true", help="no colour even on a terminal")
    parser.add_argument("-q", "--quiet", action="store_true", help="findings only, no summary")
    parser.add_argument(
        "--fix", action="store_true", help="apply mechanical fixes (DG108, DG112, DG116)"
    )
    parser.add_argument(
        "--diff", action="store_true", help="print the --fix changes as a diff; write nothing"
    )


def run(args: argparse.Namespace) -> int:
    """Validate, scan, report; the exit code follows docs/ARCHITECTURE.md."""
    from dynaguard.cli import fixing
    from dynaguard.cli.scan_progress import progress

    opts = options(args)
    scan = partial(_engine(), list(opts.paths), config=opts.config, jobs=opts.jobs, root=opts.root)
    with progress(f"scanning {' '.join(map(str, opts.paths))}", quiet=opts.quiet):
        result = scan(cache=opts.cache)
    if getattr(args, "diff", False):
        return fixing.diff(result, opts.root)
    if getattr(args, "fix", False):
        fixing.write(result, opts.root)
        result = scan(cache=opts.cache)  # the fixed files have changed: a fresh scan
    return finish(result, opts)


class ScanFunction(Protocol):
    """The static engine's entry point, `dynaguard.scan.scan`."""

    def __call__(
        self,
        paths: Sequence[Path],
        *,
        config: Config | None = None,
        jobs: int = 1,
        root: Path | None = None,
        cache: bool = False,
    ) -> Result: ...


def _engine() -> ScanFunction:
    import importlib

    try:
        function = getattr(importlib.import_module("dynaguard.scan"), "scan", None)
    except ImportError as exc:
        raise UsageError(f"the static engine is not available ({exc})") from None
    if not callable(function):
        raise UsageError("the static engine is not available (dynaguard.scan.scan is missing)")
    return cast(ScanFunction, function)


def options(args: argparse.Namespace) -> Options:
    """Turn raw flags into Options, raising UsageError (one line) for any bad input."""
    from dynaguard.cli.rules import load_registry

    fmt = str(args.format).lower()
    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {args.format!r}")
    paths = _paths(args.paths or ["."])
    if args.output not in (None, "-"):
        check_output(args.output)
    config = _config(args.config, paths)
    load_registry(probes=False)
    config = _rule_selection(config, args.select, args.ignore)
    fail_on = _fail_on(args.fail_on, config)
    min_sev = _severity(args.min_severity, "--min-severity") if args.min_severity else None
    to_stdout = args.output in (None, "-")
    return Options(
        paths=paths,
        root=_root(paths),
        fmt=fmt,
        output=None if args.output == "-" else args.output,
        config=config,
        fail_on=fail_on,
        min_severity=min_sev or config.min_severity or Severity.INFO,
        baseline=_baseline(args.baseline) if args.baseline else None,
        write_baseline=(
            check_output(args.write_baseline, "--write-baseline") if args.write_baseline else None
        ),
        jobs=_jobs(args.jobs),
        cache=not getattr(args, "no_cache", False),
        color=fmt == "text" and to_stdout and _color(no_color=args.no_color),
        quiet=bool(args.quiet),
    )


def finish(result: Result, opts: Options) -> int:
    """Baseline, display filter, diagnostics, rendering and the exit code for one result."""
    from dynaguard.core import baseline

    if opts.write_baseline is not None:
        try:
            baseline.write(opts.write_baseline, result.findings)
        except OSError as exc:
            raise UsageError(f"--write-baseline: {exc.strerror or exc}") from None
        if not opts.quiet:
            n = len(result.findings)
            _note(f"wrote {n} fingerprint{'s' * (n != 1)} to {opts.write_baseline}")
    findings = list(result.findings)
    if opts.baseline is not None:
        findings = baseline.filter_new(findings, opts.baseline)
    shown = [f for f in findings if f.severity >= opts.min_severity]
    stats = dict(result.stats)
    stats["baseline_hidden"] = len(result.findings) - len(findings)
    stats["below_min_severity"] = len(findings) - len(shown)
    display = replace(result, findings=tuple(shown), stats=stats)
    report_has_diagnostics = opts.fmt == "text" and opts.output is None and not opts.quiet
    if not report_has_diagnostics:
        _print_diagnostics(result, warnings=not opts.quiet)
    _render_and_write(display, opts)
    gate = opts.fail_on if opts.write_baseline is None else None
    if gate is not None and any(f.severity >= gate for f in findings):
        return EXIT_FINDINGS
    if result.stats.get("complete") is False:
        from dynaguard.core.result import ANALYSIS_ERROR

        # a gate must never pass on a run that could not analyse everything it read
        n = sum(1 for e in result.errors if e.kind == ANALYSIS_ERROR)
        print(
            f"dynaguard scan: error: the run is incomplete: {n} file(s) or rule(s) could not "
            "be analysed (see the errors); findings may be missing",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return EXIT_OK


def _render_and_write(display: Result, opts: Options) -> None:
    from dynaguard.report import render

    text = render(
        display,
        opts.fmt,
        source=SourceReader(opts.root),
        color=opts.color,
        summary=not opts.quiet,
        help_base=_help_base(),
        src_root=opts.root.resolve().as_uri() + "/",
    )
    if opts.quiet and opts.fmt == "text" and not display.findings:
        text = ""
    if text or opts.output is not None:
        write_output(text, opts.output)


def _print_diagnostics(result: Result, *, warnings: bool) -> None:
    from dynaguard.report._common import diagnostic_text

    for d in result.errors:
        print(f"dynaguard scan: error: {diagnostic_text(d)}", file=sys.stderr)
    if warnings:
        for d in result.warnings:
            print(f"dynaguard scan: warning: {diagnostic_text(d)}", file=sys.stderr)


def _note(text: str) -> None:
    print(f"dynaguard scan: {text}", file=sys.stderr)


class SourceReader:
    """Source lines for the text report, read lazily from files under the scan root."""

    MAX_BYTES = 5_000_000  # a generated or minified file is not worth quoting

    def __init__(self, root: Path) -> None:
        self._root = root
        self._cache: dict[str, list[str] | None] = {}

    def __call__(self, path: str, line: int) -> str | None:
        """The text of `line` (1-based) in `path`, or None when unavailable."""
        if path not in self._cache:
            self._cache[path] = self._read(path)
        lines = self._cache[path]
        if lines is None or not 1 <= line <= len(lines):
            return None
        return lines[line - 1]

    def _read(self, path: str) -> list[str] | None:
        from dynaguard.core.fileio import read_capped

        file = Path(path) if Path(path).is_absolute() else self._root / path
        try:  # the file may have been swapped for a FIFO or a device since the scan
            data = read_capped(file, self.MAX_BYTES)
        except OSError:
            return None
        return data.decode("utf-8", errors="replace").splitlines()


def _paths(raw: list[str]) -> tuple[Path, ...]:
    out = []
    for p in raw:
        path = Path(p)
        if not path.exists():
            raise UsageError(f"path not found: {p}")
        # A FIFO or a device would block or stream forever when read: refuse it up front.
        if not (path.is_dir() or path.is_file()):
            raise UsageError(f"not a file or directory: {p}")
        out.append(path)
    return tuple(out)


def _root(paths: tuple[Path, ...]) -> Path:
    """cwd when every path is under it (paths relative to the project), else their parent."""
    cwd = Path.cwd().resolve()
    resolved = [p.resolve() for p in paths]
    if all(r == cwd or r.is_relative_to(cwd) for r in resolved):
        return cwd
    dirs = [r if r.is_dir() else r.parent for r in resolved]
    return Path(os.path.commonpath([str(d) for d in dirs]))


def _config(name: str | None, paths: tuple[Path, ...]) -> Config:
    from dynaguard.core import config

    try:
        source = Path(name) if name else config.discover(paths[0])
        return config.load(source) if source is not None else Config()
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def _baseline(name: str) -> frozenset[str]:
    from dynaguard.core.baseline import BaselineError, load

    try:
        return load(Path(name))
    except BaselineError as exc:
        raise UsageError(str(exc)) from None


def _severity(text: str, flag: str) -> Severity:
    try:
        return Severity.parse(text)
    except ValueError as exc:
        raise UsageError(f"{flag}: {exc}") from None


def _fail_on(text: str | None, config: Config) -> Severity | None:
    if text is None:
        return config.fail_on or Severity.HIGH
    if text.strip().lower() == "none":
        return None
    return _severity(text, "--fail-on")


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise UsageError(f"--jobs must be a whole number, not {text!r}") from None
    if n < 0:
        raise UsageError(f"--jobs must be 0 (all cores) or more, not {n}")
    from dynaguard.scan.workers import MAX_JOBS, MAX_PER_CPU, max_jobs

    if n > max_jobs():  # thousands of processes would only exhaust memory and process slots
        _note(f"--jobs {n} capped at {max_jobs()} ({MAX_PER_CPU} per CPU, at most {MAX_JOBS})")
    return min(n or (os.cpu_count() or 1), max_jobs())


def _color(*, no_color: bool) -> bool:
    # https://no-color.org: any non-empty NO_COLOR disables colour.
    return not no_color and not os.environ.get("NO_COLOR") and sys.stdout.isatty()


def _rule_selection(config: Config, select: list[str], ignore: list[str]) -> Config:
    """Flags override the config's select and add to its ignore; every id must exist."""
    from functools import partial

    from dynaguard.cli.rules import expand as expand_any
    from dynaguard.core.findings import EngineKind

    expand = partial(expand_any, engine=EngineKind.STATIC)
    where = f" in {config.source}" if config.source else ""
    expand(config.select, f"select{where}")
    expand(config.ignore, f"ignore{where}")
    for rule_id in config.severity:
        expand((rule_id,), f"severity{where}")
    chosen = expand(_split(select), "--select")
    dropped = expand(_split(ignore), "--ignore")
    return replace(
        config,
        select=chosen or config.select,
        ignore=tuple(dict.fromkeys((*config.ignore, *dropped))),
    )


def _split(values: list[str]) -> tuple[str, ...]:
    return tuple(p.strip() for v in values for p in v.split(",") if p.strip())


def _help_base() -> str | None:
    """The URL of the rule pages, from the package's `[project.urls] Rules` entry."""
    from importlib import metadata

    try:
        urls = metadata.metadata("dynaguard").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "rules" and url.strip():
            return str(url).strip()
    return None
