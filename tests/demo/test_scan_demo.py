"""The static scan of both demo apps: the vulnerable app's findings are exactly its marks.

Marks are read with the scanner's own fixture reader (tests/scan/annotations.py).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from dynaguard.core.findings import Severity
from dynaguard.core.result import Result
from dynaguard.demo.engines import DEMO_DIR, scan_app

READER = Path(__file__).resolve().parents[1] / "scan" / "annotations.py"


def _reader() -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo_scan_annotations", READER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def _scan(app: str) -> Result:
    return scan_app(app)  # Unavailable here is a failure: the test extras install the scanner


@pytest.fixture(scope="module")
def vulnerable() -> Result:
    """The scan of the vulnerable app (paths relative to the demo package)."""
    return _scan("vulnerable")


def test_scan_reads_every_file_cleanly(vulnerable: Result) -> None:
    assert [e.to_json() for e in vulnerable.errors] == []


def test_vulnerable_findings_are_exactly_the_marks(vulnerable: Result) -> None:
    # Given the marks in the demo's sources, When scanning the vulnerable app,
    # Then every # expect line is reported and nothing else (any rule), known gaps aside
    reader = _reader()
    marks = reader.read_annotations(DEMO_DIR)
    assert reader.problems(marks, vulnerable.findings, None) == []


def test_marks_point_at_real_statements() -> None:
    # Every mark sits in the vulnerable app, on a line of code (not a blank or comment line).
    reader = _reader()
    marks = reader.read_annotations(DEMO_DIR)
    sites = marks.expect | marks.todo_expect | marks.ok | marks.todo_ok
    assert sites, "the vulnerable app has no marks"
    for path, line, _ in sites:
        assert path.startswith("vulnerable/"), path
        text = (DEMO_DIR / path).read_text(encoding="utf-8").splitlines()[line - 1]
        assert not text.lstrip().startswith("#"), (path, line)


def test_hardened_has_nothing_at_or_above_medium() -> None:
    hardened = _scan("hardened")
    assert [e.to_json() for e in hardened.errors] == []
    serious = [(f.path, f.line, f.rule) for f in hardened.findings if f.severity >= Severity.MEDIUM]
    assert serious == []
