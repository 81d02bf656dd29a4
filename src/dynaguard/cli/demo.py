"""`dynaguard demo`: the vulnerable and the hardened app, scanned and probed side by side.

`dynaguard demo serve vulnerable|hardened [--port N]` serves one app alone.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dynaguard.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError

APPS = ("vulnerable", "hardened")
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of `dynaguard demo` and its `serve` sub-command."""
    parser.add_argument(
        "--output",
        metavar="DIR",
        default="dynaguard-demo",
        help="directory for the reports (default: ./dynaguard-demo/)",
    )
    parser.add_argument(
        "--keep-running",
        action="store_true",
        help="leave both apps up and print URLs, tokens and curl lines (until Ctrl-C)",
    )
    parser.add_argument(
        "--no-probe", action="store_true", help="skip the dynamic probes (static scan only)"
    )
    parser.add_argument("--no-color", action="store_true", help="plain progress output")
    sub = parser.add_subparsers(dest="demo_command", metavar="{serve}")
    serve = sub.add_parser("serve", help="serve one demo app with its embedded DynamoDB")
    serve.add_argument("app", choices=APPS)
    serve.add_argument(
        "--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000; 0 = any free)"
    )
    # SUPPRESS: `demo --no-color serve ...` keeps the flag given before the sub-command.
    serve.add_argument(
        "--no-color", action="store_true", default=argparse.SUPPRESS, help="plain progress output"
    )
    parser.epilog = "dynaguard demo serve vulnerable|hardened [--port N] serves one app alone."


def run(args: argparse.Namespace) -> int:
    """Run the demo (or serve one app); one line and exit 2 when it cannot start."""
    from dynaguard.demo.progress import Progress
    from dynaguard.demo.runner import DemoOptions, serve
    from dynaguard.demo.runner import run as run_demo
    from dynaguard.demo.stack import DemoError

    progress = Progress(color=False if args.no_color else None)
    try:
        if args.demo_command == "serve":
            if not 0 <= args.port <= 65535:
                raise UsageError(f"--port {args.port}: not a port number (0-65535)")
            serve(args.app, args.port, progress)
            return EXIT_OK
        output = _output_dir(Path(args.output))
        outcome = run_demo(
            DemoOptions(output=output, keep_running=args.keep_running, probe=not args.no_probe),
            progress,
        )
    except DemoError as exc:
        raise UsageError(str(exc)) from None
    except KeyboardInterrupt:
        progress.line("stopped")
        # Ctrl-C is how `serve` and --keep-running end; anywhere else it cut the demo short.
        return EXIT_OK if args.demo_command == "serve" or args.keep_running else EXIT_INTERRUPTED
    except OSError as exc:
        raise UsageError(f"{exc.strerror or exc}") from None
    if outcome.failed:
        # The demo ran to the end but an engine broke: say so in the exit code too.
        print(f"dynaguard demo: {len(outcome.failed)} engine run(s) failed", file=sys.stderr)
        return EXIT_FINDINGS
    return EXIT_OK


def _output_dir(output: Path) -> Path:
    """Create --output before anything starts: a bad directory fails in a second, not a minute."""
    if output.exists() and not output.is_dir():
        raise UsageError(f"--output {output}: exists and is not a directory")
    probe = output / f".dynaguard-write-test-{os.getpid()}"
    try:
        output.mkdir(parents=True, exist_ok=True)
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"--output {output}: cannot write there ({exc.strerror or exc})") from None
    return output


__all__ = ["EXIT_USAGE", "add_arguments", "run"]
