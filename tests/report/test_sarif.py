"""SARIF: valid against the official 2.1.0 schema, shaped the way GitHub code scanning reads it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from dynaguard.core.findings import Severity
from dynaguard.core.result import Result
from dynaguard.report import sarif

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text("utf-8"))


def validate(doc: object) -> None:
    """Raise when `doc` breaks the SARIF 2.1.0 schema (formats such as uri checked too)."""
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_every_sample_validates(sample: tuple[str, Result]) -> None:
    _, result = sample
    validate(json.loads(sarif.render(result)))


def test_rules_carry_help_and_github_properties(samples: dict[str, Result]) -> None:
    run = sarif.sarif_log(samples["static"])["runs"][0]  # type: ignore[index]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert sorted(rules) == ["DG101", "DG103"]  # DG101 has findings but was not in `rules`
    dg103 = rules["DG103"]
    assert dg103["name"] == "MissingOwnershipCheck"
    assert dg103["shortDescription"]["text"] == "Request key without ownership check"
    assert dg103["fullDescription"]["text"].startswith("Because request key")
    assert "## Use instead" in dg103["help"]["markdown"]
    assert dg103["help"]["text"].startswith("Fix: Put the owner")
    assert dg103["helpUri"] == "https://cwe.mitre.org/data/definitions/639.html"
    props = dg103["properties"]
    assert props["security-severity"] == "8.0" and props["precision"] == "high"
    assert {"security", "external/cwe/cwe-639", "external/owasp-api-2023/api1"} <= set(
        props["tags"]
    )
    # The worst severity seen for a rule is the one GitHub shows (DG101 had a critical).
    assert rules["DG101"]["properties"]["security-severity"] == "9.5"


def test_security_severity_in_githubs_ranges(samples: dict[str, Result]) -> None:
    ranges = {"critical": (9.0, 10.0), "high": (7.0, 8.9), "medium": (4.0, 6.9), "low": (0.1, 3.9)}
    for sev, (low, high) in ranges.items():
        assert low <= float(sarif.SECURITY_SEVERITY[Severity(sev)]) <= high
    # info has no GitHub range: the property is left out rather than set to 0.0
    result = samples["empty"]
    info = replace(samples["static"].findings[0], severity=Severity.INFO)
    run = sarif.sarif_log(replace(result, findings=(info,)))["runs"][0]  # type: ignore[index]
    assert "security-severity" not in run["tool"]["driver"]["rules"][0]["properties"]


def test_results_point_at_files_and_routes(samples: dict[str, Result]) -> None:
    run = sarif.sarif_log(samples["static"])["runs"][0]  # type: ignore[index]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for res in run["results"]:
        assert ids[res["ruleIndex"]] == res["ruleId"]
        loc = res["locations"][0]["physicalLocation"]
        assert not loc["artifactLocation"]["uri"].startswith("/")  # relative to the repo root
        assert loc["region"]["startLine"] >= 1
        assert len(res["partialFingerprints"]["dynaguard/v1"]) == 32
    levels = {
        r["ruleId"] + str(r["locations"][0]["physicalLocation"]["region"]["startLine"]): r["level"]
        for r in run["results"]
    }
    assert levels == {"DG1013": "error", "DG10130": "note", "DG10312": "error"}
    put = next(
        r
        for r in run["results"]
        if r["locations"][0]["physicalLocation"]["region"]["startLine"] == 12
    )
    assert put["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 12,
        "startColumn": 5,
        "endLine": 14,
    }
    assert put["locations"][0]["logicalLocations"][0]["name"] == "PUT /items/{item_id}"
    assert run["automationDetails"]["id"] == "dynaguard/static/"


def test_probe_results_use_logical_locations(samples: dict[str, Result]) -> None:
    run = sarif.sarif_log(samples["probe"])["runs"][0]  # type: ignore[index]
    assert run["automationDetails"]["id"] == "dynaguard/probe/"
    endpoints = []
    for res in run["results"]:
        (loc,) = res["locations"]
        # GitHub rejects results without an artifact location: the endpoint's absolute URI.
        artifact = loc["physicalLocation"]["artifactLocation"]
        assert "uriBaseId" not in artifact and "region" not in loc["physicalLocation"]
        endpoints.append(artifact["uri"])
        assert loc["logicalLocations"][0]["kind"] == "resource"
    assert sorted(set(endpoints)) == [
        "http://127.0.0.1:8000/items/%7Bitem_id%7D",
        "http://127.0.0.1:8000/notes/%7Bid%7D",
    ]
    # An in-process target (module:app) has no URI: the logical location stands alone.
    in_process = replace(samples["probe"], target="tests.apps.notes:app")
    (loc,) = sarif.sarif_log(in_process)["runs"][0]["results"][0]["locations"]  # type: ignore[index]
    assert "physicalLocation" not in loc


def test_errors_become_notifications(samples: dict[str, Result]) -> None:
    inv = sarif.sarif_log(samples["static"])["runs"][0]["invocations"][0]  # type: ignore[index]
    notes = inv["toolExecutionNotifications"]
    assert [(n["level"], n["message"]["text"]) for n in notes] == [
        ("error", "invalid syntax"),
        ("warning", "unused suppression for DG108: no DG108 finding on this statement"),
    ]
    assert inv["executionSuccessful"] is True


def test_uris_are_percent_encoded(samples: dict[str, Result]) -> None:
    run = sarif.sarif_log(samples["unicode"])["runs"][0]  # type: ignore[index]
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "app/donn%C3%A9es/vue%20%C3%BC.py"


def test_help_base_builds_help_uris(samples: dict[str, Result]) -> None:
    doc = sarif.sarif_log(samples["static"], help_base="https://example.org/docs/rules/")
    rules = doc["runs"][0]["tool"]["driver"]["rules"]  # type: ignore[index]
    assert rules[1]["helpUri"] == "https://example.org/docs/rules/DG103.md"


@pytest.mark.parametrize("over", [False, True])
def test_results_capped_at_githubs_limit(
    samples: dict[str, Result], monkeypatch: pytest.MonkeyPatch, over: bool
) -> None:
    # A cap of 2 stands in for GitHub's 25,000 so the test stays fast.
    monkeypatch.setattr(sarif, "MAX_RESULTS", 2)
    base = samples["static"]
    result = replace(base, findings=base.findings[: 3 if over else 2])
    run = sarif.sarif_log(result)["runs"][0]  # type: ignore[index]
    kept = sorted(r["level"] for r in run["results"])
    # Over the cap the low one is dropped, the two errors kept; at the cap all stay.
    assert kept == (
        ["error", "error"] if over else sorted(sarif.LEVEL[f.severity] for f in result.findings)
    )
    assert len(kept) == 2
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any("1 lower-severity results omitted" in n for n in notes) is over
    validate(sarif.sarif_log(result))


def test_schema_check_can_fail(samples: dict[str, Result]) -> None:
    # The validator is not vacuous: a result without a message breaks the schema.
    doc = sarif.sarif_log(samples["static"])
    del doc["runs"][0]["results"][0]["message"]  # type: ignore[index]
    with pytest.raises(AssertionError, match="message"):
        validate(doc)


def test_every_uri_base_id_is_defined(sample: tuple[str, Result]) -> None:
    _, result = sample
    run = sarif.sarif_log(result)["runs"][0]  # type: ignore[index]
    defined = set(run["originalUriBaseIds"])
    used = {
        loc["physicalLocation"]["artifactLocation"]["uriBaseId"]
        for res in run["results"]
        for loc in res["locations"]
        if "uriBaseId" in loc.get("physicalLocation", {}).get("artifactLocation", {})
    }
    # Relative uris always name their base; absolute ones (probe endpoints) never do.
    for res in run["results"]:
        for loc in res["locations"]:
            artifact = loc.get("physicalLocation", {}).get("artifactLocation")
            if artifact is not None:
                assert ("uriBaseId" in artifact) is ("://" not in artifact["uri"])
    assert used <= defined == {"%SRCROOT%"}
    assert "uri" not in run["originalUriBaseIds"]["%SRCROOT%"]  # unknown root: no guess


def test_src_root_is_an_absolute_directory_uri(samples: dict[str, Result]) -> None:
    for given in ("file:///work/repo", "file:///work/repo/"):
        doc = sarif.sarif_log(samples["static"], src_root=given)
        base = doc["runs"][0]["originalUriBaseIds"]  # type: ignore[index]
        assert base == {"%SRCROOT%": {"uri": "file:///work/repo/"}}
        validate(doc)
