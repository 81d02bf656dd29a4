"""`dynaguard probe URL | --app module:app`: black-box integrity probes, rendered, exit code.

Bad input (identity syntax, spec, unreachable target, --app that does not import) is one
line and exit 2; findings at or above --fail-on exit 1; Ctrl-C or SIGTERM cleans up first,
says what the cleanup did, and exits 130. Secrets given with --identity are redacted by
the engine before anything is recorded, so every format is safe to share.

One deviation from docs/ARCHITECTURE.md's "writes only to what the prober created", stated in
--help: with --active, each identity's own profile (`/users/me`) is updated by the
mass-assignment and lost-update probes and restored at the end (--exclude-path skips it).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import replace
from typing import TYPE_CHECKING

from dynaguard.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    check_output,
    load_app,
    write_output,
)
from dynaguard.core.findings import Severity
from dynaguard.core.result import Result

if TYPE_CHECKING:
    import httpx

    from dynaguard.probe import ProbeOptions

Progress = Callable[[str, int, int], None]

FORMATS = ("text", "json", "sarif", "markdown", "html", "junit", "gitlab")
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
APP_TARGET = "http://testserver"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of `dynaguard probe`."""
    parser.add_argument("url", nargs="?", metavar="URL", help="base URL of the running API")
    parser.add_argument("--app", metavar="MODULE:APP", help="probe an ASGI app in-process")
    parser.add_argument(
        "--spec", metavar="URL|FILE", help="OpenAPI spec (default URL/openapi.json)"
    )
    parser.add_argument(
        "--identity",
        action="append",
        default=[],
        metavar="'NAME[ROLE]=Header: value'",
        help="credentials, repeatable; the first two are owner and attacker; a [ROLE] "
        "(root[admin]=...) marks a privileged identity for DG212 and admin-only deletes",
    )
    parser.add_argument(
        "--active",
        action="store_true",
        help="also state-changing probes: on objects the run creates (deleted at the end), "
        "and on each identity's own profile (a singleton such as /users/me), which is "
        "updated and restored at the end -- exclude it with --exclude-path to keep it untouched",
    )
    parser.add_argument(
        "--exclude-path", action="append", default=[], metavar="REGEX", help="skip these paths"
    )
    parser.add_argument(
        "--budget", type=int, metavar="N", help="max requests (600, or 20 per operation if more)"
    )
    parser.add_argument(
        "--rate", type=float, default=0.0, metavar="R", help="requests/s (0 = no limit)"
    )
    parser.add_argument("--timeout", type=float, default=10.0, metavar="S", help="per request (10)")
    parser.add_argument(
        "--max-time",
        type=float,
        default=180.0,
        metavar="S",
        help="bound on the whole run in seconds (180); the cleanup gets up to 60 more",
    )
    parser.add_argument(
        "--select", action="append", default=[], metavar="IDS", help="only these probes"
    )
    parser.add_argument("--format", default="text", help=f"one of {', '.join(FORMATS)}")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report here (atomic)")
    parser.add_argument(
        "--fail-on", default="high", metavar="LEVEL", help="exit 1 at or above ('none')"
    )
    parser.add_argument("--min-severity", default="info", metavar="LEVEL", help="show at or above")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress, no summary")


def run(args: argparse.Namespace) -> int:
    """Validate flags, probe, render, exit code."""
    from dynaguard.probe import ProbeError, ProbeInterrupted
    from dynaguard.probe import run as probe_run

    options, fail_on, min_sev, fmt = _options(args)
    try:
        with _progress(quiet=args.quiet) as progress:
            result = probe_run(replace(options, progress=progress))
    except ProbeError as exc:
        raise UsageError(str(exc)) from None
    except ProbeInterrupted as exc:
        print(f"dynaguard probe: interrupted; {exc}", file=sys.stderr)
        return EXIT_INTERRUPTED
    for d in result.errors:
        print(f"dynaguard probe: error: {d.message}", file=sys.stderr)
    if not args.quiet:
        for d in result.warnings:
            print(f"dynaguard probe: warning: {d.message}", file=sys.stderr)
    shown = tuple(f for f in result.findings if f.severity >= min_sev)
    _write(replace(result, findings=shown), fmt, args.output, quiet=args.quiet)
    if result.stats.get("run_failed") is True:
        # The run could not do its job (no usable answers, an identity broken, objects left
        # behind): that says more than any finding, so it wins over exit 1.
        print("dynaguard probe: error: the run failed; see the errors above", file=sys.stderr)
        return EXIT_USAGE
    if fail_on is not None and result.fails(fail_on):
        return EXIT_FINDINGS
    if result.stats.get("complete") is False:
        # A gate must not pass on a run that stopped half-way (identity refused, budget).
        print(
            "dynaguard probe: error: the run did not complete; see the errors above",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return EXIT_OK


def _options(args: argparse.Namespace) -> tuple[ProbeOptions, Severity | None, Severity, str]:
    from dynaguard.probe import Limits, ProbeError, ProbeOptions, parse_identities

    fmt = str(args.format).lower()
    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {args.format!r}")
    if not args.url and not args.app:
        raise UsageError("give the API's URL, or --app module:app to probe an ASGI app")
    finite = all(math.isfinite(v) for v in (args.timeout, args.rate, args.max_time))
    bad_budget = args.budget is not None and args.budget < 1
    if bad_budget or not finite or args.timeout <= 0 or args.rate < 0 or args.max_time <= 0:
        raise UsageError(
            "--budget must be >= 1, --timeout and --max-time numbers > 0 and --rate >= 0"
        )
    if args.output not in (None, "-"):
        check_output(args.output)
    try:
        identities = parse_identities(list(args.identity))
        options = ProbeOptions(
            target=args.url or APP_TARGET,
            spec=args.spec,
            identities=tuple(identities),
            active=bool(args.active),
            exclude_paths=tuple(args.exclude_path),
            limits=Limits(
                budget=args.budget, rate=args.rate, timeout=args.timeout, max_time=args.max_time
            ),
            select=tuple(s for raw in args.select for s in raw.split(",") if s),
            transport=_app_transport(args.app) if args.app else None,
        )
        from dynaguard.probe.client import origin

        origin(options.target)
    except ProbeError as exc:
        raise UsageError(str(exc)) from None
    return options, _fail_on(args.fail_on), _severity(args.min_severity), fmt


def _severity(text: str) -> Severity:
    try:
        return Severity.parse(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _fail_on(text: str) -> Severity | None:
    return None if text.strip().lower() == "none" else _severity(text)


def _app_transport(spec: str) -> httpx.AsyncBaseTransport:
    """The ASGI app named by `--app module:attr`, wrapped in httpx's transport."""
    from dynaguard.probe import asgi_transport

    return asgi_transport(load_app(spec))


def _progress(*, quiet: bool) -> AbstractContextManager[Progress | None]:
    if quiet:
        return nullcontext(None)
    if sys.stderr.isatty():
        return _bar()

    def line(what: str, n: int, total: int) -> None:
        print(f"dynaguard probe: [{n}/{total}] {what}", file=sys.stderr, flush=True)

    return nullcontext(line)


@contextmanager
def _bar() -> Iterator[Progress]:
    """A rich progress bar on a terminal (one step per probe)."""
    from rich.console import Console
    from rich.progress import BarColumn, TextColumn
    from rich.progress import Progress as Bar

    with Bar(
        TextColumn("probe"),
        BarColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=None)

        def step(what: str, n: int, total: int) -> None:
            bar.update(task, description=what, completed=n - 1, total=total)

        yield step


def _write(result: Result, fmt: str, output: str | None, *, quiet: bool) -> None:
    try:
        from dynaguard.report import render
    except ImportError:
        import json

        text = json.dumps(result.to_json(), indent=2)
    else:
        text = render(result, fmt, summary=not quiet) if fmt == "text" else render(result, fmt)
    write_output(text, None if output == "-" else output)
