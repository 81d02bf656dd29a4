"""`dynaguard check PATH --app module:app --identity ...`: scan, probe in-process, join.

The source is scanned, the ASGI app probed through httpx's ASGI transport (no server),
and the two results joined by route and class (dynaguard.core.correlate): a static
finding the prober proved is marked confirmed and carries the requests that prove it; a
probe finding with no static counterpart points at its route's handler, resolved from
the app's routes. Exit codes as `scan`: 1 for findings at or above --fail-on, 2 for bad
input or a probe run that did not complete.
"""

from __future__ import annotations

import argparse
import inspect
import os
import sys
from dataclasses import replace
from pathlib import Path

from dynaguard.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    load_app,
    write_output,
)
from dynaguard.cli.scan import Options, SourceReader
from dynaguard.core.correlate import Handlers, join
from dynaguard.core.result import Result
from dynaguard.report import FORMATS

APP_TARGET = "http://testserver"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of `dynaguard check`."""
    parser.add_argument("paths", nargs="*", metavar="PATH", help="source to scan (default .)")
    parser.add_argument("--app", required=True, metavar="MODULE:APP", help="the ASGI app to probe")
    parser.add_argument(
        "--identity",
        action="append",
        default=[],
        metavar="'NAME=Header: value'",
        help="credentials, repeatable; the first two are owner and attacker",
    )
    parser.add_argument(
        "--active", action="store_true", help="also state-changing probes (see probe --help)"
    )
    parser.add_argument(
        "--exclude-path", action="append", default=[], metavar="REGEX", help="probe: skip paths"
    )
    parser.add_argument(
        "--budget", type=int, metavar="N", help="max requests (600, or 20 per operation if more)"
    )
    parser.add_argument("--config", metavar="FILE", help="default: [tool.dynaguard] discovered")
    add_report_arguments(parser)


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags `check` and `report` share: format, output, thresholds, colour."""
    parser.add_argument("--format", default="text", help=f"one of {', '.join(FORMATS)}")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report here (atomic)")
    parser.add_argument("--fail-on", metavar="LEVEL", help="exit 1 at or above (default high)")
    parser.add_argument("--min-severity", metavar="LEVEL", help="show at or above (default info)")
    parser.add_argument("--no-color", action="store_true", help="no colour even on a terminal")
    parser.add_argument("-q", "--quiet", action="store_true", help="findings only, no summary")


def run(args: argparse.Namespace) -> int:
    """Validate, scan, probe, join, report."""
    from dynaguard.cli import scan as scan_cli
    from dynaguard.cli.scan_progress import progress
    from dynaguard.probe import (
        Limits,
        ProbeError,
        ProbeInterrupted,
        ProbeOptions,
        asgi_transport,
        parse_identities,
    )
    from dynaguard.probe import run as probe_run
    from dynaguard.scan import scan

    opts = scan_cli.options(_scan_args(args))
    app = load_app(args.app)
    if args.budget is not None and args.budget < 1:
        raise UsageError("--budget must be >= 1")
    try:
        options = ProbeOptions(
            target=APP_TARGET,
            identities=tuple(parse_identities(list(args.identity))),
            active=bool(args.active),
            exclude_paths=tuple(args.exclude_path),
            limits=Limits(budget=args.budget),
            transport=asgi_transport(app),
        )
    except ProbeError as exc:
        raise UsageError(str(exc)) from None
    with progress(f"scanning {' '.join(map(str, opts.paths))}", quiet=opts.quiet):
        static = scan(list(opts.paths), config=opts.config, jobs=opts.jobs, root=opts.root)
    try:
        with progress(f"probing {args.app}", quiet=opts.quiet):
            probe = probe_run(options)
    except ProbeError as exc:
        raise UsageError(str(exc)) from None
    except ProbeInterrupted as exc:
        print(f"dynaguard check: interrupted; {exc}", file=sys.stderr)
        return 130
    joined = join(static, probe, handlers(app, opts.root))
    return finish(joined, opts, quiet=bool(args.quiet))


def finish(joined: Result, opts: Options, *, quiet: bool) -> int:
    """Display filter, diagnostics, rendering and the exit code of a joined result."""
    from dynaguard.report import render

    if not (opts.fmt == "text" and opts.output is None and not quiet):
        for d in joined.errors:
            print(f"dynaguard: error: {d.path}: {d.message}", file=sys.stderr)
    shown = tuple(f for f in joined.findings if f.severity >= opts.min_severity)
    stats = {**joined.stats, "below_min_severity": len(joined.findings) - len(shown)}
    text = render(
        replace(joined, findings=shown, stats=stats),
        opts.fmt,
        source=SourceReader(opts.root),
        color=opts.color,
        summary=not quiet,
        src_root=opts.root.resolve().as_uri() + "/",
    )
    write_output(text, opts.output)
    if joined.stats.get("run_failed") is True:
        # as `probe` does: a probe that could not do its job wins over exit 1
        print("dynaguard: error: the probe run failed; see the errors", file=sys.stderr)
        return EXIT_USAGE
    if opts.fail_on is not None and joined.fails(opts.fail_on):
        return EXIT_FINDINGS
    if joined.stats.get("complete") is False:
        print("dynaguard: error: the run did not complete; see the errors", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _scan_args(args: argparse.Namespace) -> argparse.Namespace:
    """The scan command's flags, for its validation (formats, paths, config, severities)."""
    return argparse.Namespace(
        paths=list(getattr(args, "paths", None) or ["."]),
        format=args.format,
        output=args.output,
        select=[],
        ignore=[],
        min_severity=args.min_severity,
        fail_on=args.fail_on,
        baseline=None,
        write_baseline=None,
        config=getattr(args, "config", None),
        jobs="1",
        no_color=args.no_color,
        quiet=args.quiet,
    )


def handlers(app: object, root: Path) -> Handlers:
    """`METHOD /path` -> (file relative to root, first line) of each route's endpoint."""
    out: dict[str, tuple[str, int]] = {}
    _walk(getattr(app, "routes", None) or [], "", root, out, depth=0)
    return out


def _walk(
    routes: object, prefix: str, root: Path, out: dict[str, tuple[str, int]], depth: int
) -> None:
    """Routes, and those of included routers and mounts (whatever the framework version)."""
    if depth > 20 or not isinstance(routes, list | tuple):  # a router that includes itself
        return
    for route in routes:
        path = getattr(route, "path", None)
        nested = getattr(route, "original_router", None)  # FastAPI's lazily included router
        if nested is not None:
            context = getattr(route, "include_context", None)
            extra = getattr(context, "prefix", "") or ""
            _walk(getattr(nested, "routes", None), prefix + extra, root, out, depth + 1)
            continue
        methods = getattr(route, "methods", None)
        endpoint = getattr(route, "endpoint", None)
        if not isinstance(path, str):
            continue
        if not methods or endpoint is None:  # a Mount: its routes under its path
            _walk(getattr(route, "routes", None), prefix + path, root, out, depth + 1)
            continue
        try:
            code = inspect.unwrap(endpoint).__code__
        except (AttributeError, ValueError):  # a class endpoint, a C function
            continue
        where = (_relative(code.co_filename, root), code.co_firstlineno)
        for method in methods:
            if method != "HEAD":
                out.setdefault(f"{method} {prefix}{path}", where)


def _relative(filename: str, root: Path) -> str:
    path = Path(filename).resolve()
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return os.fspath(path)
