"""`dynaguard scan` end to end over a real fixture app with the real static engine.

tests/cli/fixtures/app/main.py plants an unconditional delete (DG101, line 18).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from cli_helpers import CLI, FIXTURES, subprocess_cli

SCHEMA = json.loads(
    (Path(__file__).parents[1] / "report" / "sarif-schema-2.1.0.json").read_text("utf-8")
)
DELETE_LINE = 18
# The unconditional delete is also reached with a request id and no ownership check.
EXPECTED = {("app/main.py", "DG101", DELETE_LINE), ("app/main.py", "DG103", DELETE_LINE)}


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture app in a fresh project directory (the cwd)."""
    shutil.copytree(FIXTURES / "app", tmp_path / "app")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "app"


def _pairs(doc: dict[str, object]) -> set[tuple[str, str, int]]:
    findings = doc["findings"]
    assert isinstance(findings, list)
    return {(f["path"], f["rule"], f["line"]) for f in findings}


def test_json_names_the_planted_write(cli: CLI, app: Path) -> None:
    run = cli("scan", "app", "--format", "json")
    doc = json.loads(run.out)
    assert _pairs(doc) == EXPECTED
    assert doc["schema"] == 1 and doc["engine"] == "static"
    assert run.code == 1  # both are high: at the default --fail-on


def test_sarif_of_a_real_scan_validates(cli: CLI, app: Path) -> None:
    run = cli("scan", "--format", "sarif", "--fail-on", "none")
    assert run.code == 0
    doc = json.loads(run.out)
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in doc["runs"][0]["results"]
    }
    assert "app/main.py" in uris


def test_select_and_ignore(cli: CLI, app: Path) -> None:
    only = json.loads(cli("scan", "--format", "json", "--select", "DG101").out)
    assert {f["rule"] for f in only["findings"]} == {"DG101"}
    without = json.loads(cli("scan", "--format", "json", "--ignore", "DG101").out)
    assert {f["rule"] for f in without["findings"]} == {"DG103"}


def test_baseline_survives_a_line_move(cli: CLI, app: Path) -> None:
    # Given a baseline of today's findings
    assert cli("scan", "--write-baseline", "baseline.json").code == 0
    # When unrelated lines are added above the planted write
    main = app / "main.py"
    main.write_text("# a comment\n\n" + main.read_text("utf-8"), encoding="utf-8")
    # Then nothing is new and the run passes
    run = cli("scan", "--baseline", "baseline.json", "--format", "json")
    assert json.loads(run.out)["findings"] == [] and run.code == 0
    # When a second unconditional write is added, Then only it is reported
    main.write_text(
        main.read_text("utf-8")
        + '\n\n@app.delete("/other/{item_id}")\n'
        + "def delete_other(item_id: str, user: dict[str, str] = Depends(get_current_user)):\n"
        + '    table.delete_item(Key={"id": item_id})\n',
        encoding="utf-8",
    )
    lines = main.read_text("utf-8").splitlines()
    new_line = max(i for i, text in enumerate(lines, 1) if "table.delete_item" in text)
    doc = json.loads(cli("scan", "--baseline", "baseline.json", "--format", "json").out)
    dg101 = {(f["rule"], f["line"]) for f in doc["findings"] if f["rule"] == "DG101"}
    assert dg101 == {("DG101", new_line)}


def test_unparsable_file_is_reported_and_the_scan_goes_on(cli: CLI, app: Path) -> None:
    # (the engine parses only files that touch FastAPI or DynamoDB; this one does)
    (app / "broken.py").write_text("import boto3\n\ndef broken(:\n", encoding="utf-8")
    run = cli("scan", "--format", "json", "--fail-on", "none")
    # its findings may be missing: the run is incomplete, so no gate passes (exit 2)
    assert run.code == 2
    errors = [line for line in run.err.splitlines() if "broken.py" in line]
    assert len(errors) == 1 and errors[0].startswith("dynaguard scan: error: app/broken.py:3: ")
    assert "the run is incomplete" in run.err
    assert _pairs(json.loads(run.out)) == EXPECTED


@pytest.mark.parametrize("script", [False, True], ids=["python-m", "console-script"])
def test_real_process_exit_codes(app: Path, script: bool) -> None:
    failing = subprocess_cli("scan", "--fail-on", "low", cwd=app.parent, script=script)
    assert failing.code == 1, failing.err
    assert "DG101" in failing.out and "Traceback" not in failing.err
    passing = subprocess_cli("scan", "--fail-on", "none", "-q", cwd=app.parent, script=script)
    assert passing.code == 0


def test_sarif_of_the_vulnerable_demo_meets_github_requirements(
    cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the repository root as the cwd (where CI runs the upload from)
    root = Path(__file__).parents[2]
    monkeypatch.chdir(root)
    # When the deliberately vulnerable demo app is scanned to SARIF
    run = cli("scan", "src/dynaguard/demo/vulnerable", "--format", "sarif", "--fail-on", "none")
    assert run.code == 0, run.err
    doc = json.loads(run.out)
    # Then it validates, formats included
    checker = jsonschema.FormatChecker()
    errors = list(jsonschema.Draft4Validator(SCHEMA, format_checker=checker).iter_errors(doc))
    assert not errors, [e.message for e in errors[:3]]
    (sarif_run,) = doc["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    results = sarif_run["results"]
    assert len(results) >= 5  # the demo plants one of each kind
    # And every uri is relative to %SRCROOT%, which the run defines as the absolute root
    assert sarif_run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": root.as_uri() + "/"}}
    for res in results:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert len(res["partialFingerprints"]["dynaguard/v1"]) == 32
        phys = res["locations"][0]["physicalLocation"]
        assert phys["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        path = root / phys["artifactLocation"]["uri"]
        assert path.is_file() and not phys["artifactLocation"]["uri"].startswith("/")
        # Regions are 1-based: the column points at the call's first character.
        region = phys["region"]
        line = path.read_text("utf-8").splitlines()[region["startLine"] - 1]
        assert region["startColumn"] >= 1 and not line[region["startColumn"] - 1].isspace()
        assert region["startColumn"] == 1 or line[region["startColumn"] - 2] in " =(.[,"
    for rule in rules:
        assert rule["helpUri"].startswith("https://") and rule["help"]["markdown"]
        assert len(rule["properties"]["tags"]) <= 10  # GitHub shows 10 tags per rule
        severity = float(rule["properties"]["security-severity"])
        assert 0.1 <= severity <= 10.0


@pytest.mark.parametrize(
    "command", [("scan", "--fail-on", "none"), ("rules",), ("explain", "DG101")]
)
def test_a_non_utf8_stdout_gets_text_not_a_traceback(app: Path, command: tuple[str, ...]) -> None:
    # Given a pipe whose encoding cannot hold the report's box-drawing and dash characters
    run = subprocess_cli(*command, cwd=app.parent, env={"PYTHONIOENCODING": "ascii"})
    # Then the output degrades to '?' instead of dying mid-report
    assert run.code == 0 and "Traceback" not in run.err, run.err
    assert run.out.isascii() and run.out.strip()
