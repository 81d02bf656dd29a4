"""Shared by the scanner and CLI reliability tests: a small vulnerable project, a real CLI run."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

# One route, one unconditional put: DG101 (high) on line 10, whatever else is in the project.
VULNERABLE = """import boto3
from fastapi import FastAPI

app = FastAPI()
table = boto3.resource("dynamodb").Table("items")


@app.post("/users")
def register(username: str):
    table.put_item(Item={"id": username, "created": True})
"""
VULNERABLE_LINE = 10


@dataclass(frozen=True)
class Run:
    """What one real `python -m dynaguard` process produced."""

    code: int
    out: str
    err: str


def project(root: Path) -> Path:
    """A directory holding vuln.py (one DG101 finding); returns the directory."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "vuln.py").write_text(VULNERABLE, encoding="utf-8")
    return root


def dynaguard(
    *argv: str,
    cwd: Path,
    timeout: float = 60,
    env: dict[str, str] | None = None,
    python_args: tuple[str, ...] = ("-m", "dynaguard"),
) -> Run:
    """Run this checkout's CLI in a subprocess; a hang fails the test instead of blocking it."""
    path = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p)
    proc = subprocess.run(
        [sys.executable, *python_args, *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", "PYTHONPATH": path, **(env or {})},
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def bounded(*argv: str, cwd: Path, memory: int = 1 << 30, timeout: float = 30) -> Run:
    """The CLI in a process limited to `memory` bytes of address space and `timeout` seconds.

    An unbounded read or a tree that should never be built fails the test at once instead
    of swapping the machine.
    """
    code = (
        "import resource, runpy, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))\n"
        "sys.argv = ['dynaguard', *sys.argv[1:]]\n"
        "runpy.run_module('dynaguard', run_name='__main__')\n"
    )
    return dynaguard(*argv, cwd=cwd, timeout=timeout, python_args=("-c", code))


def one_line_error(run: Run, command: str = "scan") -> str:
    """The single error line of a refused run (exit 2, no traceback)."""
    assert run.code == 2, (run.code, run.err)
    assert "Traceback" not in run.err, run.err
    lines = run.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"dynaguard {command}: error: "), run.err
    return lines[0]
