"""What `dynaguard scan` does with a Result: baseline, --min-severity, --fail-on, output.

These drive cli.scan.finish() with hand-built Results, so the pipeline is tested whatever
the engine finds; tests/cli/test_scan_engine.py runs the same flags over a real scan.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from dynaguard.cli.main import build_parser
from dynaguard.cli.scan import finish, options
from dynaguard.core.findings import Confidence, EngineKind, Finding, Severity, fingerprint
from dynaguard.core.result import Diagnostic, Result


def _finding(sev: Severity, line: int, anchor: str) -> Finding:
    return Finding(
        rule="DG101",
        name="unconditional-write",
        severity=sev,
        confidence=Confidence.HIGH,
        title="Unconditional write",
        message=f"{anchor} has no ConditionExpression",
        fix="Add a ConditionExpression.",
        fingerprint=fingerprint("DG101", "app.py", None, anchor),
        path="app.py",
        line=line,
        route="PUT /items/{item_id}",
    )


def _result(*sevs: Severity, errors: int = 0) -> Result:
    return Result(
        tool_version="0.0.0-test",
        engine=EngineKind.STATIC,
        target=".",
        findings=tuple(_finding(s, i + 1, f"site{i}") for i, s in enumerate(sevs)),
        errors=tuple(
            Diagnostic(path=f"broken{i}.py", line=1, message="invalid syntax")
            for i in range(errors)
        ),
    )


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory with app.py whose lines the text report quotes."""
    source = "".join(f"table.update_item(Key=k{i})\n" for i in range(1, 6))
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(result: Result, *argv: str) -> int:
    """finish() with the options that `dynaguard scan ARGV` would build."""
    args = build_parser("scan").parse_args(["scan", *argv])
    return finish(result, options(args))


@pytest.mark.parametrize(
    ("sevs", "argv", "code"),
    [
        ((), (), 0),
        ((Severity.MEDIUM,), (), 0),
        ((Severity.HIGH,), (), 1),
        ((Severity.CRITICAL, Severity.LOW), (), 1),
        ((Severity.HIGH,), ("--fail-on", "critical"), 0),
        ((Severity.LOW,), ("--fail-on", "low"), 1),
        ((Severity.CRITICAL,), ("--fail-on", "none"), 0),
        # the display threshold does not change the exit code
        ((Severity.LOW,), ("--fail-on", "low", "--min-severity", "high"), 1),
    ],
)
def test_exit_code_follows_fail_on(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    sevs: tuple[Severity, ...],
    argv: tuple[str, ...],
    code: int,
) -> None:
    assert run(_result(*sevs), *argv) == code


def test_config_sets_fail_on_and_flags_override(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.dynaguard]\nfail_on = "medium"\n', encoding="utf-8"
    )
    assert run(_result(Severity.MEDIUM)) == 1
    assert run(_result(Severity.MEDIUM), "--fail-on", "high") == 0


def test_min_severity_hides_but_counts(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(
        _result(Severity.HIGH, Severity.LOW, Severity.INFO),
        "--min-severity",
        "medium",
        "--format",
        "json",
    )
    doc = json.loads(capsys.readouterr().out)
    assert [f["severity"] for f in doc["findings"]] == ["high"]
    assert doc["stats"]["below_min_severity"] == 2


def test_text_report_quotes_the_source_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(_result(Severity.HIGH, Severity.LOW))
    out = capsys.readouterr().out
    assert "│ table.update_item(Key=k1)" in out and "│ table.update_item(Key=k2)" in out
    assert out.splitlines()[-1].startswith("2 findings (1 high, 1 low)  score 89/100  grade C")
    assert "\x1b[" not in out  # captured stdout is not a terminal


def test_quiet_prints_findings_only(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(_result(), "--quiet")
    assert capsys.readouterr().out == ""
    run(_result(Severity.HIGH), "-q")
    out = capsys.readouterr().out
    assert "DG101" in out and "score" not in out


def test_errors_one_line_each_on_stderr(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a scan with two unparsable files, When the report is JSON on stdout,
    # Then stderr has one line per error and the exit code still follows the findings.
    assert run(_result(Severity.MEDIUM, errors=2), "--format", "json") == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "dynaguard scan: error: broken0.py:1: invalid syntax",
        "dynaguard scan: error: broken1.py:1: invalid syntax",
    ]
    assert len(json.loads(captured.out)["errors"]) == 2


def test_text_on_stdout_carries_errors_itself(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(_result(errors=1))
    captured = capsys.readouterr()
    assert captured.err == "" and "broken0.py:1: invalid syntax" in captured.out


def test_baseline_round_trip(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given today's findings recorded in a baseline (writing it exits 0)
    today = _result(Severity.HIGH, Severity.CRITICAL)
    assert run(today, "--write-baseline", "baseline.json") == 0
    assert "wrote 2 fingerprints to baseline.json" in capsys.readouterr().err
    # When the same findings come back on other lines, Then nothing new is reported
    moved = Result(
        tool_version="0.0.0-test",
        engine=EngineKind.STATIC,
        target=".",
        findings=tuple(
            _finding(f.severity, (f.line or 0) + 10, f"site{i}")
            for i, f in enumerate(today.findings)
        ),
    )
    capsys.readouterr()
    assert run(moved, "--baseline", "baseline.json", "--format", "json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["findings"] == [] and doc["stats"]["baseline_hidden"] == 2
    # When a new finding appears, Then only it is reported and it fails the run
    new = replace(moved, findings=(*moved.findings, _finding(Severity.HIGH, 3, "new-site")))
    assert run(new, "--baseline", "baseline.json", "--format", "json") == 1
    doc = json.loads(capsys.readouterr().out)
    assert [f["message"] for f in doc["findings"]] == ["new-site has no ConditionExpression"]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown", "html"])
def test_output_file_is_written_atomically(
    project: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    target = project / "out" / f"report.{fmt}"
    target.parent.mkdir()
    target.write_text("old report", encoding="utf-8")
    assert run(_result(Severity.HIGH), "--format", fmt, "--output", str(target)) == 1
    text = target.read_text(encoding="utf-8")
    assert "DG101" in text and "old report" not in text and "\x1b[" not in text
    assert sorted(p.name for p in target.parent.iterdir()) == [f"report.{fmt}"]  # no temp file
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("tty", "no_color_env", "flag", "expected"),
    [
        (True, "", False, True),
        (True, "1", False, False),
        (True, "", True, False),
        (False, "", False, False),
    ],
)
def test_colour_only_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, tty: bool, no_color_env: str, flag: bool, expected: bool
) -> None:
    from dynaguard.cli import scan

    monkeypatch.setattr(scan.sys.stdout, "isatty", lambda: tty)
    monkeypatch.setenv("NO_COLOR", no_color_env)
    assert scan._color(no_color=flag) is expected
