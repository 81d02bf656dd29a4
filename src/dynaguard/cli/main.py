"""`dynaguard` entry point: sub-commands, exit codes, and no tracebacks for bad input.

Exit codes (docs/ARCHITECTURE.md, README "Guarantees"): 0 nothing at or above --fail-on and
a complete run; 1 findings at or above it; 2 usage or input error, or a run that could not do
all of its job, with one clear line on stderr; 3 an internal error (a bug in dynaguard).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn, Protocol, cast

from dynaguard import __version__
from dynaguard.cli.common import EXIT_INTERNAL, EXIT_USAGE, UsageError

# Each command lives in its own module with add_parser(subparsers) and run(args) -> int.
# Imported lazily per command so `dynaguard scan` never pays for httpx or boto3.
COMMANDS: dict[str, tuple[str, str]] = {
    "scan": ("dynaguard.cli.scan", "static analysis of FastAPI + DynamoDB source"),
    "probe": ("dynaguard.cli.probe", "black-box probes of a running API"),
    "check": ("dynaguard.cli.check", "scan the source, probe the app in-process, join the two"),
    "report": ("dynaguard.cli.report", "join a scan and a probe JSON report by route and class"),
    "demo": ("dynaguard.cli.demo", "embedded DynamoDB, vulnerable and hardened apps, both reports"),
    "rules": ("dynaguard.cli.rules", "list the rules and probes"),
    "explain": ("dynaguard.cli.explain", "print a rule's page (dynaguard explain DG103)"),
}


class Command(Protocol):
    """What a command module provides."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def _load(name: str) -> Command:
    module: ModuleType = importlib.import_module(COMMANDS[name][0])
    return cast(Command, module)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (argparse prints the whole usage block first)."""

    def error(self, message: str) -> NoReturn:
        """Print one line and exit 2 (docs/ARCHITECTURE.md: a usage error)."""
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The top-level parser; with `only`, the sub-parser of that command is fully built.

    Only the command being run is imported, so `dynaguard --help` works even when an
    optional part (the prober's or the demo's dependencies) is not installed.
    """
    parser = _Parser(
        prog="dynaguard",
        description="Find and prevent integrity failures in FastAPI + DynamoDB services.",
    )
    parser.add_argument("--version", action="version", version=f"dynaguard {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="on an internal error, print the traceback"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (_, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if only == name:
            _load(name).add_arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (also used as the console script)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        return _dispatch(args_list)
    except KeyboardInterrupt:
        print("dynaguard: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: exit 3, never 1 (which means "findings")
        return _internal_error(exc, debug=_debug(args_list))


def _dispatch(args_list: list[str]) -> int:
    first = next((a for a in args_list if not a.startswith("-")), None)
    parser = build_parser(first if first in COMMANDS else None)
    args = parser.parse_args(args_list)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return _load(args.command).run(args)
    except UsageError as exc:
        print(f"dynaguard {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _debug(args_list: list[str]) -> bool:
    command = next((i for i, a in enumerate(args_list) if a in COMMANDS), len(args_list))
    return "--debug" in args_list[:command] or bool(os.environ.get("DYNAGUARD_DEBUG"))


def _internal_error(exc: BaseException, *, debug: bool) -> int:
    """One paragraph saying what happened and what to send us; the traceback only on request."""
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    where = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    at = f" at {where[0].name} ({os.path.basename(where[0].filename)}:{where[0].lineno})"
    print(
        f"dynaguard: internal error: {type(exc).__name__}: {exc}{at if where else ''}\n"
        f"This is a bug in dynaguard {__version__}, not in your input. Please report it with "
        "the command you ran and the traceback from `dynaguard --debug ...` "
        "(or DYNAGUARD_DEBUG=1).",
        file=sys.stderr,
    )
    return EXIT_INTERNAL


def entry() -> None:
    """Console-script wrapper."""
    sys.exit(main())


if __name__ == "__main__":
    entry()
