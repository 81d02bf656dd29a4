"""Helpers for the command-line tests: run `dynaguard` in-process or as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True)
class Run:
    """What one invocation produced."""

    code: int
    out: str
    err: str


CLI = Callable[..., Run]


def subprocess_cli(
    *argv: str, cwd: Path | None = None, script: bool = False, env: dict[str, str] | None = None
) -> Run:
    """Run `python -m dynaguard.cli.main ARGS` (or the console script) for real."""
    cmd = ["dynaguard", *argv] if script else [sys.executable, "-m", "dynaguard.cli.main", *argv]
    env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    proc = subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=120, env=env, check=False
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def registry_error() -> str | None:
    """Why the rule packages fail to import (test_registry_loads fails with it), or None."""
    from dynaguard.cli.rules import load_registry

    try:
        load_registry()
    except Exception as exc:  # any import-time failure of a rule module
        return f"{type(exc).__name__}: {exc}"
    return None
