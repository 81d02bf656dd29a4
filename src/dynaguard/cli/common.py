"""Helpers shared by the commands: exit codes, severity flags, writing outputs."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dynaguard.core.findings import Severity

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


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
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        sys.stdout.write(text.encode(encoding, errors="replace").decode(encoding))
    sys.stdout.flush()


def write_output(text: str, output: str | None) -> None:
    """Write a report to a file (atomically, UTF-8) or to stdout."""
    if output is None or output == "-":
        emit(text if text.endswith("\n") else text + "\n")
        return
    path = Path(output)
    if path.is_dir():
        raise UsageError(f"--output {output} is a directory; give a file name")
    if not path.parent.exists():
        raise UsageError(f"--output: directory {path.parent} does not exist")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"cannot write {output}: {exc.strerror}") from None
