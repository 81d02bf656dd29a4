"""Helpers shared by the commands: exit codes, severity flags, writing outputs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dynaguard.core.findings import Severity

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2  # also: a run that could not do all of its job
EXIT_INTERNAL = 3  # a bug in dynaguard


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
