"""The codebase keeps its own rules: layers import one way, mypy --strict and ruff are clean."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "dynaguard"

# DESIGN.md: core imports no sibling; scan, probe, report, guard and fix import only core.
ALLOWED = {
    "core": set(),
    "fix": {"core"},
    "scan": {"core"},
    "probe": {"core"},
    "report": {"core"},
    "guard": {"core"},
}


def _imported_layers(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {n.split(".")[1] for n in names if n.startswith("dynaguard.") and n.count(".") >= 1}


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layers_import_one_way(layer: str) -> None:
    bad = {
        str(p.relative_to(ROOT)): sorted(_imported_layers(p) - ALLOWED[layer] - {layer})
        for p in (SRC / layer).rglob("*.py")
    }
    assert {k: v for k, v in bad.items() if v} == {}


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


def test_ruff_clean() -> None:
    proc = _run(sys.executable, "-m", "ruff", "check", "src", "tests", "bench")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_strict() -> None:
    proc = _run(sys.executable, "-m", "mypy", "--strict", "src")
    assert proc.returncode == 0, proc.stdout + proc.stderr
