"""`dynaguard scan --fix` / `--diff`: apply the mechanical fixes to the scanned files.

--diff prints a unified diff of every change and writes nothing (exit 1 when there is a
change, as ruff does, so CI can say "run --fix"). --fix writes each changed file
atomically, says on stderr what it fixed and what it left, then scans again: the report
and the exit code are about what remains.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dynaguard.cli.common import EXIT_FINDINGS, EXIT_OK, UsageError, emit
from dynaguard.core.fileio import read_capped, write_text
from dynaguard.core.findings import Finding
from dynaguard.core.result import Result

MAX_FIX_BYTES = 64 << 20  # the scanner read these files under its own, smaller cap


def plan(result: Result, root: Path) -> dict[Path, tuple[str, str, int, list[str]]]:
    """Per file: (old text, new text, findings fixed, reasons for those left)."""
    from dynaguard.fix import FIXABLE, FixUnavailable, apply

    by_file: dict[str, list[Finding]] = {}
    for f in result.findings:
        if f.rule in FIXABLE and f.path:
            by_file.setdefault(f.path, []).append(f)
    out: dict[Path, tuple[str, str, int, list[str]]] = {}
    for rel, findings in sorted(by_file.items()):
        file = Path(rel) if Path(rel).is_absolute() else root / rel
        try:
            # bytes, not text mode: line endings (CRLF) stay as they are
            old = read_capped(file, MAX_FIX_BYTES).decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            out[file] = ("", "", 0, [f"{rel}: not fixed, cannot read it ({exc})"])
            continue
        try:
            outcome = apply(old, findings)
        except FixUnavailable as exc:
            raise UsageError(str(exc)) from None
        left = [f"{rel}:{f.line}: {f.rule} not fixed: {why}" for f, why in outcome.skipped]
        out[file] = (old, outcome.text, len(outcome.fixed), left)
    return out


def diff(result: Result, root: Path) -> int:
    """Print the changes as a unified diff; exit 1 when there is one."""
    from dynaguard.fix import unified_diff

    changes = plan(result, root)
    text = ""
    for file, (old, new, _, left) in changes.items():
        if new != old:
            text += unified_diff(_shown(file, root), old, new)
        for line in left:
            print(f"dynaguard scan: {line}", file=sys.stderr)
    if text:
        emit(text)
    fixed = sum(n for _, _, n, _ in changes.values())
    print(f"dynaguard scan: {fixed} finding(s) fixable with --fix", file=sys.stderr)
    return EXIT_FINDINGS if text else EXIT_OK


def write(result: Result, root: Path) -> None:
    """Write every fixed file (atomically) and say what was fixed and what was not."""
    changes = plan(result, root)
    files = 0
    for file, (old, new, _, left) in changes.items():
        for line in left:
            print(f"dynaguard scan: {line}", file=sys.stderr)
        if new == old:
            continue
        try:  # atomic, mode kept; a symlinked source file is written through its link
            write_text(file, new)
        except OSError as exc:  # OutputError: "cannot write FILE: why"
            raise UsageError(str(exc)) from None
        files += 1
    fixed = sum(n for _, _, n, _ in changes.values())
    print(f"dynaguard scan: fixed {fixed} finding(s) in {files} file(s)", file=sys.stderr)


def _shown(file: Path, root: Path) -> str:
    try:
        return file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return file.as_posix()
