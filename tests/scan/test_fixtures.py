"""Every fixture directory reports exactly the (file, line, rule) its annotations name."""

from __future__ import annotations

from pathlib import Path

import pytest

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.scan import scan

from .annotations import problems, read_annotations

FIXTURES = Path(__file__).parent / "fixtures"
DIRS = sorted(p for p in FIXTURES.iterdir() if p.is_dir())


@pytest.mark.parametrize("fixture", DIRS, ids=[d.name for d in DIRS])
def test_fixture(fixture: Path) -> None:
    # Given an annotated fixture tree
    ann = read_annotations(fixture)
    assert ann.rules or ann.all_rules, f"{fixture.name} has no annotations"
    # When it is scanned
    result = scan([fixture], root=fixture)
    # Then exactly the expected findings are reported (at the stated severities),
    # and nothing was left unread
    assert [e.to_json() for e in result.errors] == []
    assert problems(ann, result.findings, None if ann.all_rules else ann.rules) == []


def test_dg101_fixtures_state_their_severities() -> None:
    # The severity split of DG101 (a key made unique just now, uuid4: not reported; a
    # server key that may repeat, a clock: low; high otherwise) is asserted only where a
    # mark states it: every DG101 expect mark here must, the DG101 tree states both
    # severities, and both trees mark a unique key `ok`.
    for tree in (FIXTURES / "DG101", FIXTURES / "DG102" / "realworld.py"):
        ann = read_annotations(tree)
        dg101 = {site for site in ann.expect if site[2] == "DG101"}
        assert dg101, tree
        assert dg101 <= set(ann.severity), sorted(dg101 - set(ann.severity))
        assert any(site[2] == "DG101" for site in ann.ok), tree
    stated = read_annotations(FIXTURES / "DG101").severity.values()
    assert {Severity.LOW, Severity.HIGH} <= set(stated)


def _finding(path: str, line: int, rule: str, severity: Severity) -> Finding:
    return Finding(
        rule=rule,
        name="x",
        severity=severity,
        confidence=Confidence.HIGH,
        title="x",
        message="x",
        fix="x",
        fingerprint=f"{path}{line}{rule}",
        path=path,
        line=line,
    )


def _marked(tmp_path: Path, *lines: str) -> Path:
    (tmp_path / "app.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_stated_severity_must_match(tmp_path: Path) -> None:
    # Given a line marked DG101(low) and another marked plain DG101
    root = _marked(tmp_path, "put()  # expect: DG101(low)", "put()  # expect: DG101, DG103(High)")
    ann = read_annotations(root)
    assert ann.severity == {
        ("app.py", 1, "DG101"): Severity.LOW,
        ("app.py", 2, "DG103"): Severity.HIGH,
    }
    low, high = Severity.LOW, Severity.HIGH
    right = [
        _finding("app.py", 1, "DG101", low),
        _finding("app.py", 2, "DG101", high),
        _finding("app.py", 2, "DG103", high),
    ]
    # Then the right severities pass, a plain mark accepts any severity
    assert problems(ann, right, None) == []
    assert problems(ann, [*right[:1], _finding("app.py", 2, "DG101", low), right[2]], None) == []
    # And a wrong one on a stated mark is a problem, for every finding on the site
    wrong = [_finding("app.py", 1, "DG101", high), *right]
    assert problems(ann, wrong, None) == ["severity app.py:1 DG101: reported high, marked low"]


def test_meaningless_severity_marks_are_problems(tmp_path: Path) -> None:
    root = _marked(tmp_path, "a()  # expect: DG101(hgh)", "b()  # ok: DG102(low)")
    found = problems(read_annotations(root), [_finding("app.py", 1, "DG101", Severity.HIGH)], None)
    assert len(found) == 2, found
    assert found[0].startswith("invalid  app.py:1 DG101(hgh): unknown severity 'hgh'")
    assert found[1] == "invalid  app.py:2 DG102(low): a severity only goes on an # expect mark"


def test_plain_marks_keep_their_meaning(tmp_path: Path) -> None:
    root = _marked(
        tmp_path, "a()  # expect: DG101", "b()  # ok: DG101", "c()  # todo-expect: DG101"
    )
    ann = read_annotations(root)
    hit = _finding("app.py", 1, "DG101", Severity.INFO)
    assert problems(ann, [hit], {"DG101"}) == []
    assert problems(ann, [], {"DG101"}) == ["missing  app.py:1 DG101 (# expect)"]
    extra = [hit, _finding("app.py", 2, "DG101", Severity.LOW)]
    assert problems(ann, extra, {"DG101"}) == ["reported app.py:2 DG101 (# ok: a false positive)"]
    # outside the rules compared, nothing counts
    assert problems(ann, [hit, _finding("app.py", 3, "DG104", Severity.LOW)], {"DG101"}) == []
