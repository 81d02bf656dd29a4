"""The findings model: severities, scoring, suppressions, baselines, config."""

from __future__ import annotations

from pathlib import Path

import pytest

from dynaguard.core import baseline, suppressions
from dynaguard.core.config import ConfigError, discover, from_table, load
from dynaguard.core.findings import (
    Confidence,
    EngineKind,
    Finding,
    Severity,
    fingerprint,
    unique_fingerprints,
)
from dynaguard.core.registry import SECTIONS, sections
from dynaguard.core.result import Result, grade_for, score_for


def make(rule: str = "DG101", line: int = 1, end: int | None = None, sev: str = "high") -> Finding:
    return Finding(
        rule=rule,
        name="x",
        severity=Severity(sev),
        confidence=Confidence.HIGH,
        title="t",
        message="m",
        fix="f",
        fingerprint=fingerprint(rule, "a.py", None, f"site{line}"),
        path="a.py",
        line=line,
        end_line=end,
    )


def test_severity_orders_and_parses() -> None:
    assert Severity.INFO < Severity.LOW < Severity.MEDIUM < Severity.HIGH < Severity.CRITICAL
    assert Severity.parse(" HIGH ") is Severity.HIGH
    with pytest.raises(ValueError, match="choose from"):
        Severity.parse("urgent")


def test_finding_is_keyword_only_and_frozen() -> None:
    with pytest.raises(TypeError):
        Finding("DG101", "x")  # type: ignore[misc]
    f = make()
    with pytest.raises(AttributeError):
        f.rule = "DG102"  # type: ignore[misc]


def test_score_and_grade() -> None:
    assert score_for([]) == 100 and grade_for(100, []) == "A"
    one_high = [make()]
    assert score_for(one_high) == 90
    assert grade_for(90, one_high) == "C"  # a high finding caps the grade at C
    lows = [make(sev="low", line=i) for i in range(15)]
    assert score_for(lows) == 85 and grade_for(85, lows) == "B"
    crit = [make(sev="critical", line=i) for i in range(5)]
    assert score_for(crit) == 0 and grade_for(0, crit) == "F"


def test_result_json_contract() -> None:
    r = Result(tool_version="0", engine=EngineKind.STATIC, target=".", findings=(make(),))
    doc = r.to_json()
    assert doc["schema"] == 1 and doc["engine"] == "static" and doc["tool"] == "dynaguard"
    assert doc["counts"] == {"critical": 0, "high": 1, "medium": 0, "low": 0, "info": 0}
    assert r.fails(Severity.HIGH) and not r.fails(Severity.CRITICAL)


def test_fingerprints_ignore_lines_and_disambiguate_repeats() -> None:
    assert fingerprint("DG101", "a.py", "PUT /x", "f:update_item") == fingerprint(
        "DG101", "a.py", "PUT /x", "f:update_item"
    )
    twins = [make(line=3), make(line=3)]
    twins[1] = Finding(**{**_fields(twins[0]), "line": 9})
    fps = [f.fingerprint for f in unique_fingerprints(twins)]
    assert len(set(fps)) == 2 and fps[1].endswith("#2")


def _fields(f: Finding) -> dict[str, object]:
    return {k: getattr(f, k) for k in Finding.__dataclass_fields__}


def test_suppression_on_any_line_of_statement_and_unused_reported() -> None:
    src = (
        "x = 1\n"
        "table.update_item(\n"
        "    Key=k,  # dynaguard: ignore[DG101] counters are idempotent\n"
        ")\n"
        "y = 2  # dynaguard: ignore[DG103]\n"
        "s = '# dynaguard: ignore[DG102] inside a string'\n"
    )
    marks, problems = suppressions.parse(src, "a.py")
    assert [(m.line, sorted(m.rules), m.reason) for m in marks] == [
        (3, ["DG101"], "counters are idempotent"),
        (5, ["DG103"], ""),
    ]
    assert problems == []
    kept, dropped, unused = suppressions.apply(
        [make(line=2, end=4), make("DG102", line=2, end=4)], marks, "a.py"
    )
    assert [f.rule for f in kept] == ["DG102"] and dropped == 1
    assert [(u.line, u.kind) for u in unused] == [(5, "unused-suppression")]


def test_suppression_without_rule_is_a_diagnostic() -> None:
    marks, problems = suppressions.parse("x = 1  # dynaguard: ignore\n", "a.py")
    assert marks == [] and len(problems) == 1 and "no rule named" in problems[0].message


def test_baseline_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "base.json"
    old = [make(line=1), make(line=2)]
    baseline.write(path, old)
    known = baseline.load(path)
    new = make(line=7)
    assert baseline.filter_new([*old, new], known) == [new]


def test_baseline_errors(tmp_path: Path) -> None:
    with pytest.raises(baseline.BaselineError, match="not found"):
        baseline.load(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{]")
    with pytest.raises(baseline.BaselineError, match=r"not a dynaguard baseline \(not JSON\)"):
        baseline.load(bad)
    other = tmp_path / "other.json"
    other.write_text('{"x": 1}')
    with pytest.raises(baseline.BaselineError, match="not a dynaguard baseline"):
        baseline.load(other)
    # An entry that cannot hide anything is an error, not silently dropped.
    for entry in ('{"fingerprint": 7}', '"abc"', '{"rule": "DG101"}', '{"fingerprint": ""}'):
        hand_edited = tmp_path / "edited.json"
        hand_edited.write_text(f'{{"baseline": 1, "findings": [{entry}]}}')
        with pytest.raises(baseline.BaselineError, match=r"findings\[0\] has no fingerprint"):
            baseline.load(hand_edited)


def test_baseline_write_leaves_nothing_behind_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "baseline.json"
    with pytest.raises(OSError):
        baseline.write(target, [])
    assert not target.exists() and not (tmp_path / "missing-dir").exists()


def test_config_discovery_is_strict_only_about_our_table(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    pyproject = project / "pyproject.toml"
    pyproject.write_text("[project\n")  # broken, but cannot hold [tool.dynaguard]
    assert discover(project) is None
    pyproject.write_text("[tool.dynaguard\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        discover(project)
    pyproject.write_text("tool = 3\n")
    assert discover(project) is None
    with pytest.raises(ConfigError, match=r"\[tool\] must be a table"):
        load(pyproject)
    pyproject.write_text('[project]\nname = "p"\n')
    with pytest.raises(ConfigError, match=r"has no \[tool.dynaguard\] table"):
        load(pyproject)


def test_config_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.dynaguard]\n"
        'exclude = ["migrations/*"]\n'
        'auth_dependencies = ["whoami"]\n'
        'ignore = ["dg108"]\n'
        'fail_on = "medium"\n'
        "[tool.dynaguard.severity]\n"
        'DG101 = "low"\n'
    )
    (tmp_path / "app").mkdir()
    found = discover(tmp_path / "app")
    assert found == tmp_path / "pyproject.toml"
    cfg = load(found)
    assert cfg.auth_dependencies == ("whoami",)
    assert cfg.severity == {"DG101": Severity.LOW} and cfg.fail_on is Severity.MEDIUM
    assert not cfg.enabled("DG108") and cfg.enabled("DG101")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"exlude": []}, "unknown"),
        ({"exclude": "x"}, "list of strings"),
        ({"admin_scopes": "admin"}, "admin_scopes must be a list of strings"),
        ({"admin_dependencies": [1]}, "admin_dependencies must be a list of strings"),
        ({"fail_on": "urgent"}, "unknown severity"),
        ({"severity": {"DG101": 3}}, "severity name"),
    ],
)
def test_config_errors(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        from_table(table)


def test_sections_split_rule_pages() -> None:
    doc = "Title\n\n## What it does\nA.\n\n## Why is this bad?\nB\nC\n"
    assert sections(doc) == {"What it does": "A.", "Why is this bad?": "B\nC"}


_DOC = "\n".join(f"## {h}\nx\n" for h in SECTIONS)


def _declare(rule_id: str, name: str, module: str) -> None:
    import sys
    import types

    from dynaguard.core.registry import register

    mod = types.ModuleType(module, _DOC)
    sys.modules[module] = mod

    def check() -> None: ...

    check.__module__ = module
    register(
        id=rule_id,
        name=name,
        title="t",
        severity=Severity.LOW,
        confidence=Confidence.LOW,
        cwe="CWE-1",
        fix="f",
    )(check)


def test_registry_names_unique_per_engine_ids_unique_overall() -> None:
    from dynaguard.core import registry

    saved = dict(registry._REGISTRY)
    try:
        _declare("DG198", "twin-name", "fake_static")
        _declare("DG298", "twin-name", "fake_probe")  # a static rule and its dynamic twin
        with pytest.raises(ValueError, match="duplicate rule name"):
            _declare("DG199", "twin-name", "fake_static2")
        with pytest.raises(ValueError, match="duplicate rule id"):
            _declare("DG198", "other-name", "fake_static3")
        with pytest.raises(ValueError, match="sections"):
            registry.register(
                id="DG197",
                name="no-doc",
                title="t",
                severity=Severity.LOW,
                confidence=Confidence.LOW,
                cwe="CWE-1",
                fix="f",
            )(lambda: None)
    finally:
        registry._REGISTRY.clear()
        registry._REGISTRY.update(saved)
