"""One correlated report: `dynaguard check` and `dynaguard report`, on the demo apps.

Given the vulnerable demo app (in this process, on the session's DynamoDB) and its
source, when `dynaguard check` scans and probes it, then the static findings the prober
proved on the same route are confirmed and carry the requests, the ones it could not
prove stay static, and the probe-only findings point at their route's handler.
`dynaguard report` joins separately made JSON reports the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from dynaguard.cli.main import main
from dynaguard.core.findings import EngineKind, Severity
from dynaguard.demo.embedded import EmbeddedDynamoDB
from tests.integrations.conftest import ROOT
from tests.integrations.demo_apps import DemoApp, demo_apps

SOURCE = "src/dynaguard/demo/vulnerable"
APP = "dynaguard.demo.vulnerable.app:app"

CONFIRMED = {
    ("DG103", "GET /notes/{note_id}", "DG201"),
    ("DG103", "DELETE /notes/{note_id}", "DG202"),
    ("DG104", "PUT /notes/{note_id}/pin", "DG203"),
    ("DG112", "POST /notes/{note_id}/archive", "DG207"),
    ("DG106", "PUT /projects/{project_id}", "DG206"),
    ("DG101", "PUT /users/me", "DG205"),
    ("DG105", "PATCH /users/me", "DG204"),
    ("DG113", "GET /attachments/{attachment_id}", "DG208"),  # an unvalidated id's 500
    ("DG115", "GET /users/me", "DG209"),  # the raw item's internal fields
    ("DG117", "GET /projects/{project_id}", "DG210"),  # 403 vs 404
}
STATIC_ONLY = {
    ("DG111", "GET /notes"),  # blocking call: no HTTP-visible symptom
    ("DG103", "PUT /notes/{note_id}/pin"),  # anyone may pin: proven as DG203, not as BOLA
    ("DG108", "POST /notes/{note_id}/archive"),  # its failure is what DG207 sees leak
    ("DG102", "DELETE /projects/{project_id}"),  # a race the probes do not run
    ("DG116", "POST /projects/{project_id}/transfer"),
    ("DG109", "POST /notes/{note_id}/attachments"),  # needs a fault between the two writes
    ("DG113", "PUT /projects/{project_id}"),  # the body id: the probe sends path ids
    ("DG119", "POST /notes/{note_id}/archive"),  # re-archiving is allowed, not visible
    ("DG118", None),  # IAM in the SAM template beside the code: no route
}
PROBE_ONLY = {
    ("DG205", "PATCH /users/me"),
    ("DG205", "PUT /notes/{note_id}"),
    ("DG205", "PUT /projects/{project_id}"),
    ("DG211", "POST /notes"),
}


@pytest.fixture(scope="module")
def apps(dynamodb_server: EmbeddedDynamoDB) -> Iterator[dict[str, DemoApp]]:
    """Both demo apps with their tables and users."""
    with demo_apps(dynamodb_server) as built:
        yield built


def identity_flags(demo: DemoApp) -> list[str]:
    """--identity flags for alice and bob."""
    flags: list[str] = []
    for user in ("alice", "bob"):
        flags += ["--identity", f"{user}=Authorization: {demo.headers[user]['Authorization']}"]
    return flags


def classify(doc: dict[str, object]) -> tuple[set[tuple[str, ...]], ...]:
    """(confirmed, static-only, probe-only) of a joined JSON report."""
    confirmed, static, probe = set(), set(), set()
    for f in doc["findings"]:  # type: ignore[attr-defined]
        tag = f["evidence"]["correlation"]
        if tag == "confirmed":
            for proof in f["evidence"]["confirmed_by"]:
                confirmed.add((f["rule"], f["route"], proof["rule"]))
        elif tag == "static":
            static.add((f["rule"], f["route"]))
        else:
            probe.add((f["rule"], f["route"]))
    return confirmed, static, probe


@pytest.fixture(scope="module")
def checked(
    apps: dict[str, DemoApp], tmp_path_factory: pytest.TempPathFactory
) -> tuple[int, dict[str, object]]:
    """`dynaguard check SOURCE --app APP --active` as alice and bob: exit code and JSON."""
    out = tmp_path_factory.mktemp("check") / "joined.json"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        argv = ["check", SOURCE, "--app", APP, "--active", *identity_flags(apps["vulnerable"])]
        code = main([*argv, "--format", "json", "-o", str(out)])
    return code, json.loads(out.read_text("utf-8"))


def test_check_joins_by_route_and_class(checked: tuple[int, dict[str, object]]) -> None:
    code, doc = checked
    assert code == 1
    assert doc["engine"] == "combined"
    assert classify(doc) == (CONFIRMED, STATIC_ONLY, PROBE_ONLY)
    stats = doc["stats"]
    assert isinstance(stats, dict)
    assert (stats["confirmed"], stats["static_only"], stats["probe_only"]) == (10, 9, 4)


def test_confirmed_findings_carry_the_requests(checked: tuple[int, dict[str, object]]) -> None:
    _, doc = checked
    findings = doc["findings"]
    assert isinstance(findings, list)
    bola = next(f for f in findings if (f["rule"], f["route"]) == ("DG103", "GET /notes/{note_id}"))
    assert bola["path"] == f"{SOURCE}/notes.py" and bola["confidence"] == "high"
    proof = bola["evidence"]["confirmed_by"][0]
    # the higher of the rule's severity (high) and the proof's
    assert Severity(bola["severity"]) == max(Severity.HIGH, Severity(proof["severity"]))
    assert bola["message"].endswith("(confirmed by DG201 on the running app)")
    exchanges = proof["evidence"]["exchanges"]
    assert any(e["curl"].startswith("curl ") and "[redacted]" in e["curl"] for e in exchanges)


def test_probe_only_findings_point_at_their_handler(
    checked: tuple[int, dict[str, object]],
) -> None:
    _, doc = checked
    for f in doc["findings"]:  # type: ignore[attr-defined]
        if f["evidence"]["correlation"] != "probe":
            continue
        # The handler's first line is its route decorator, naming the method
        assert f["path"].startswith(f"{SOURCE}/") and f["evidence"]["handler"].endswith(
            f":{f['line']}"
        )
        line = (ROOT / f["path"]).read_text("utf-8").splitlines()[f["line"] - 1]
        method = f["route"].split()[0].lower()
        assert line.startswith(f"@router.{method}("), (f["route"], line)


def test_report_joins_separate_reports_the_same_way(
    apps: dict[str, DemoApp], tmp_path: Path, checked: tuple[int, dict[str, object]]
) -> None:
    # Given a scan report and a probe report made separately
    static, probe, joined = tmp_path / "s.json", tmp_path / "p.json", tmp_path / "j.json"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        main(["scan", SOURCE, "--format", "json", "-o", str(static), "--fail-on", "none"])
        flags = identity_flags(apps["vulnerable"])
        main(["probe", "--app", APP, "--active", *flags, "--format", "json", "-o", str(probe)])
        # When they are joined (probe first: the order does not matter)
        code = main(["report", str(probe), str(static), "--app", APP, "--format", "json",
                     "-o", str(joined)])  # fmt: skip
    # Then the result is check's
    assert code == 1
    assert classify(json.loads(joined.read_text("utf-8"))) == classify(checked[1])


@pytest.mark.parametrize(
    ("reports", "message"),
    [
        (("s.json", "s.json"), "give one scan and one probe JSON report (got static and static)"),
        (("s.json", "missing.json"), "report not found"),
        (("s.json", "bad.json"), "not a dynaguard JSON report (not JSON)"),
    ],
)
def test_report_bad_input_is_one_line(
    reports: tuple[str, str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "s.json").write_text(
        json.dumps({"tool": "dynaguard", "schema": 1, "engine": "static", "findings": []})
    )
    (tmp_path / "bad.json").write_text("{nope")
    code = main(["report", *(str(tmp_path / r) for r in reports)])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--app", "no_such_module_xyz:app"], "--app: cannot import no_such_module_xyz"),
        (["--app", "json:dumps"], "--app: json:dumps is not an ASGI app"),
        (["--app", "nocolon"], "--app must be module:attribute"),
        ([f"--app={APP}", "--identity", "alice"], "--identity must look like"),
        ([f"--app={APP}", "--format", "xml"], "--format must be one of"),
    ],
)
def test_check_bad_input_is_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", str(ROOT / SOURCE), *argv])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize(
    ("static_stats", "probe_stats", "findings"),
    [
        ({"complete": False}, {}, False),  # a file or rule the scan could not analyse
        ({}, {"complete": False}, False),  # a probe run that stopped half-way
        ({}, {"complete": False, "run_failed": True}, True),  # objects left behind
    ],
    ids=["scan-incomplete", "probe-incomplete", "probe-failed-with-findings"],
)
def test_a_join_with_a_broken_half_never_passes(
    static_stats: dict[str, object],
    probe_stats: dict[str, object],
    findings: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.integrations.test_correlate import finding, result

    # Given a scan and a probe report, one of them from a run that could not do its job
    found = (finding("DG201", "GET /n/{id}"),) if findings else ()
    static = result(EngineKind.STATIC, stats=static_stats)
    probe = result(EngineKind.PROBE, *found, stats=probe_stats)
    paths = []
    for name, r in (("s.json", static), ("p.json", probe)):
        (tmp_path / name).write_text(json.dumps(r.to_json()), encoding="utf-8")
        paths.append(str(tmp_path / name))
    # When they are joined, Then the exit code is 2 (not 0, and not 1 for the findings)
    code = main(["report", *paths, "--root", str(tmp_path), "--format", "json"])
    assert code == 2, capsys.readouterr().err
    joined = json.loads(capsys.readouterr().out)
    assert joined["grade"] != "A"
