"""Every fixture directory reports exactly the (file, line, rule) its annotations name."""

from __future__ import annotations

from pathlib import Path

import pytest

from dynaguard.scan import scan

from .annotations import problems, read_annotations, reported

FIXTURES = Path(__file__).parent / "fixtures"
DIRS = sorted(p for p in FIXTURES.iterdir() if p.is_dir())


@pytest.mark.parametrize("fixture", DIRS, ids=[d.name for d in DIRS])
def test_fixture(fixture: Path) -> None:
    # Given an annotated fixture tree
    ann = read_annotations(fixture)
    assert ann.rules or ann.all_rules, f"{fixture.name} has no annotations"
    # When it is scanned
    result = scan([fixture], root=fixture)
    # Then exactly the expected findings are reported, and nothing was left unread
    assert [e.to_json() for e in result.errors] == []
    got = reported(result.findings, None if ann.all_rules else ann.rules)
    assert problems(ann, got) == []
