"""Helpers shared by the commands: exit codes, severity flags, writing outputs, --app."""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import cast

from dynaguard.core.findings import Severity

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2  # also: a run that could not do all of its job
EXIT_INTERNAL = 3  # a bug in dynaguard

ASGIApp = Callable[..., Awaitable[None]]


class UsageError(Exception):
    """Bad flags or bad input: printed as one line, exit code 2."""


def severity_arg(text: str) -> Severity:
    """argparse type for --fail-on / --min-severity."""
    try:
        return Severity.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def emit(text: str) -> None:
    """Write to stdout, whatever its encoding: a non-UTF-8 pipe gets `?`, not a traceback."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:  # lone surrogates (a file name that is not UTF-8) as \\udcxx, as in files
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        sys.stdout.write(text.encode(encoding, errors="replace").decode(encoding))
    sys.stdout.flush()


def check_output(name: str, flag: str = "--output") -> Path:
    """Refuse an output the run could not write, before spending the run on it."""
    from dynaguard.core.fileio import OutputError, check

    try:
        check(Path(name))
    except OutputError as exc:
        raise UsageError(f"{flag}: {exc}") from None
    return Path(name)


def write_file(text: str, path: Path, flag: str = "--output") -> None:
    """Write a report or baseline by core.fileio's rules (atomic; never replaces a device)."""
    from dynaguard.core.fileio import OutputError, write_text

    try:
        write_text(path, text)
    except OutputError as exc:
        raise UsageError(f"{flag}: {exc}") from None


def write_output(text: str, output: str | None) -> None:
    """Write a report to a file (see write_file) or to stdout."""
    if output is None or output == "-":
        emit(text if text.endswith("\n") else text + "\n")
        return
    write_file(text, Path(output))


def load_app(spec: str) -> ASGIApp:
    """Import `module:attr` (the current directory on sys.path); UsageError if it is not ASGI."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise UsageError(f"--app must be module:attribute, not {spec!r}")
    if "" not in sys.path and "." not in sys.path:
        sys.path.insert(0, "")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # any import-time failure of user code is bad input here
        raise UsageError(
            f"--app: cannot import {module_name} ({type(exc).__name__}: {exc})"
        ) from None
    app = getattr(module, attr, None)
    if not callable(app):
        raise UsageError(f"--app: {module_name} has no ASGI app named {attr!r}")
    # An ASGI app is an async callable (FastAPI/Starlette: an object with `async __call__`).
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else type(app).__call__
    if not inspect.iscoroutinefunction(call):
        raise UsageError(f"--app: {spec} is not an ASGI app (an async callable)")
    return cast(ASGIApp, app)
