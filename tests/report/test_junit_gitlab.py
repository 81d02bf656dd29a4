"""JUnit XML valid against Jenkins' junit-10.xsd; GitLab SAST valid against its 15.2.1 schema."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
import xmlschema

from dynaguard.core.result import Result
from dynaguard.report import gitlab, junit

HERE = Path(__file__).parent
JUNIT_XSD = xmlschema.XMLSchema10(HERE / "junit-10.xsd")
GITLAB = json.loads((HERE / "gitlab-sast-report-format-15.2.1.json").read_text("utf-8"))


def validate_gitlab(doc: object) -> None:
    """Raise when `doc` breaks GitLab's SAST report schema."""
    validator = jsonschema.Draft7Validator(GITLAB, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_junit_every_sample_validates(sample: tuple[str, Result]) -> None:
    _, result = sample
    JUNIT_XSD.validate(junit.render(result))


def test_junit_one_case_per_rule_and_place(samples: dict[str, Result]) -> None:
    # Given the static sample (DG103 once in routes.py; DG101 in repo.py and routes.py)
    root = ET.fromstring(junit.render(samples["static"]))
    suite = root.find("testsuite")
    assert suite is not None
    cases = {(c.get("classname"), c.get("name")): c for c in suite.iter("testcase")}
    # Then each rule x file is one case, each finding one failure, each error one error case
    assert sorted(cases) == [
        ("dynaguard.static.DG101", "DG101 app/repo.py"),
        ("dynaguard.static.DG101", "DG101 app/routes.py"),
        ("dynaguard.static.DG103", "DG103 app/routes.py"),
        ("dynaguard.static.errors", "app/broken.py"),
    ]
    failure = cases[("dynaguard.static.DG103", "DG103 app/routes.py")].find("failure")
    assert failure is not None
    assert failure.get("message") == (
        "high: app/routes.py:12:5: item_id from the path reaches update_item with no owner "
        "comparison"
    )
    assert "route: PUT /items/{item_id}" in (failure.text or "")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "3", "1")


def test_junit_probe_cases_by_route_and_rules_that_passed(samples: dict[str, Result]) -> None:
    result = samples["probe"]
    dg207 = next(m for m in result.rules if m.id == "DG207")
    clean = replace(result, findings=tuple(f for f in result.findings if f.rule != "DG207"))
    suite = ET.fromstring(junit.render(clean)).find("testsuite")
    assert suite is not None
    names = {c.get("name"): c.find("failure") is not None for c in suite.iter("testcase")}
    # DG207 ran and found nothing: one passing case; DG201 failed on two routes
    assert names == {
        "DG201 GET /items/{item_id}": True,
        "DG201 GET /notes/{id}": True,
        dg207.id: False,
        "openapi.json": False,
    }


def test_junit_hostile_text_stays_well_formed(samples: dict[str, Result]) -> None:
    f = replace(samples["probe"].findings[0], message="bell\x07 esc\x1b[31m ]]> </failure> &")
    text = junit.render(replace(samples["probe"], findings=(f,)))
    JUNIT_XSD.validate(text)
    failure = ET.fromstring(text).find(".//failure")
    assert failure is not None
    assert failure.get("message", "").endswith("bell\\x07 esc\\x1b[31m ]]> </failure> &")


def test_gitlab_every_sample_validates(sample: tuple[str, Result]) -> None:
    _, result = sample
    validate_gitlab(json.loads(gitlab.render(result)))


def test_gitlab_vulnerability_fields(samples: dict[str, Result]) -> None:
    end = datetime(2026, 12, 2, 3, 4, 5, tzinfo=UTC)
    doc = gitlab.report(samples["static"], now=end)
    assert doc["scan"]["end_time"] == "2026-12-02T03:04:05"  # type: ignore[index]
    vulns = doc["vulnerabilities"]
    assert isinstance(vulns, list)
    first = {v["identifiers"][0]["value"]: v for v in vulns}["DG103"]  # type: ignore[index]
    assert first["severity"] == "High"
    assert first["location"] == {
        "file": "app/routes.py",
        "start_line": 12,
        "end_line": 14,
        "method": "PUT /items/{item_id}",
    }
    assert [i["type"] for i in first["identifiers"]] == ["dynaguard_rule_id", "cwe", "owasp"]
    # ids are stable: the same finding gets the same UUID in the next pipeline
    again = gitlab.report(samples["static"], now=end)["vulnerabilities"]
    assert [v["id"] for v in vulns] == [v["id"] for v in again]  # type: ignore[union-attr]
    assert len({v["id"] for v in vulns}) == len(vulns)  # type: ignore[union-attr]


@pytest.mark.parametrize("fmt", ["junit", "gitlab"])
def test_cli_scan_writes_the_format(fmt: str, tmp_path: Path) -> None:
    from dynaguard.cli.main import main

    app = tmp_path / "app.py"
    app.write_text(
        "from fastapi import FastAPI\nimport boto3\napp = FastAPI()\n"
        "table = boto3.resource('dynamodb').Table('t')\n"
        "@app.delete('/items/{item_id}')\ndef delete(item_id: str):\n"
        "    table.delete_item(Key={'id': item_id})\n",
        encoding="utf-8",
    )
    out = tmp_path / f"report.{fmt}"
    code = main(["scan", str(app), "--format", fmt, "-o", str(out), "--fail-on", "none"])
    assert code == 0
    text = out.read_text("utf-8")
    if fmt == "junit":
        JUNIT_XSD.validate(text)
        assert "DG101" in text
    else:
        doc = json.loads(text)
        validate_gitlab(doc)
        assert "DG101" in {v["identifiers"][0]["value"] for v in doc["vulnerabilities"]}
