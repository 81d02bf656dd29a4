"""Helpers for the command-line tests: run `dynaguard` in-process or as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
SRC = Path(__file__).resolve().parents[2] / "src"


def python_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a subprocess that must run this checkout's code, venv or not."""
    path = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "NO_COLOR": "1", "PYTHONPATH": path, **(env or {})}


def console_script() -> list[str]:
    """The console script's command: the function pyproject.toml declares, run by this Python.

    Not `dynaguard` from PATH: that is whichever install is first there (or none, when the
    virtualenv is not activated), not the checkout under test.
    """
    import tomllib

    project = tomllib.loads((SRC.parent / "pyproject.toml").read_text("utf-8"))["project"]
    module, _, function = project["scripts"]["dynaguard"].partition(":")
    code = f"import sys; from {module} import {function} as f; sys.argv[0] = 'dynaguard'; f()"
    return [sys.executable, "-c", code]


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
    """Run `python -m dynaguard ARGS` (or the console script's function) for real."""
    cmd = [*console_script(), *argv] if script else [sys.executable, "-m", "dynaguard", *argv]
    proc = subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=120, env=python_env(env), check=False
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
