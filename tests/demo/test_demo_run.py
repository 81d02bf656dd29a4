"""`dynaguard demo` end to end, in-process: reports written, every port and process released."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import pytest

from dynaguard.core.findings import Severity
from dynaguard.demo.progress import Progress
from dynaguard.demo.runner import DemoOptions, DemoOutcome, run
from dynaguard.demo.servers import port_free
from tests.demo.conftest import children, dynamodb_threads


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[DemoOutcome, Path, str, set[int], set[threading.Thread]]:
    """Run the whole demo once; remember what was running before it."""
    out = tmp_path_factory.mktemp("demo") / "reports"
    before_children, before_threads = children(), dynamodb_threads()
    stdout = io.StringIO()
    outcome = run(DemoOptions(output=out), Progress(io.StringIO(), out=stdout, color=False))
    return outcome, out, stdout.getvalue(), before_children, before_threads


def test_every_port_and_process_is_released(demo) -> None:
    outcome, _, _, before_children, before_threads = demo
    # Then DynamoDB and both apps listened on distinct loopback ports, all free again
    assert set(outcome.ports) == {"dynamodb", "vulnerable", "hardened"}
    assert len(set(outcome.ports.values())) == 3
    assert all(port_free(p) for p in outcome.ports.values())
    assert dynamodb_threads() <= before_threads  # a session-wide one may run already
    assert children() <= before_children


def test_reports_are_written(demo) -> None:
    outcome, out, _, _, _ = demo
    assert set(outcome.results) == {
        (app, engine) for app in ("vulnerable", "hardened") for engine in ("static", "probe")
    }
    for app in ("vulnerable", "hardened"):
        for engine in ("static", "probe"):
            doc = json.loads((out / f"{app}.{engine}.json").read_text())
            assert doc["schema"] == 1 and doc["engine"] == engine
            sarif = json.loads((out / f"{app}.{engine}.sarif").read_text())
            assert sarif["version"] == "2.1.0"
    assert {p.name for p in outcome.written} == {p.name for p in out.iterdir()}


def test_summary_shows_both_apps(demo) -> None:
    outcome, _, text, _, _ = demo
    assert "vulnerable" in text and "hardened" in text
    for (app, engine), result in outcome.results.items():
        assert f"{result.score}/100 {result.grade}" in text, (app, engine)


def test_no_engine_failed(demo) -> None:
    outcome = demo[0]
    assert outcome.failed == {}


def test_static_scan_of_both_apps(demo) -> None:
    outcome = demo[0]
    assert "static" not in outcome.skipped  # the test extras install every engine
    assert outcome.results[("vulnerable", "static")].grade == "F"
    hardened = outcome.results[("hardened", "static")]
    assert [f.rule for f in hardened.findings if f.severity >= Severity.MEDIUM] == []


def test_probe_finds_the_vulnerable_app_and_not_the_hardened_one(demo) -> None:
    outcome = demo[0]
    assert "probe" not in outcome.skipped  # the test extras install every engine
    vulnerable = {(f.rule, f.route) for f in outcome.results[("vulnerable", "probe")].findings}
    # DG102, DG108, DG109, DG111 and DG116 have no dynamic probe (races, faults, latency).
    assert vulnerable == {
        ("DG201", "GET /notes/{note_id}"),
        ("DG202", "DELETE /notes/{note_id}"),
        ("DG203", "PUT /notes/{note_id}/pin"),
        ("DG204", "PATCH /users/me"),
        ("DG205", "PATCH /users/me"),
        ("DG205", "PUT /users/me"),
        ("DG205", "PUT /notes/{note_id}"),
        ("DG205", "PUT /projects/{project_id}"),
        ("DG206", "PUT /projects/{project_id}"),
        ("DG207", "POST /notes/{note_id}/archive"),
        ("DG208", "GET /attachments/{attachment_id}"),
        ("DG209", "GET /users/me"),
        ("DG210", "GET /projects/{project_id}"),
        ("DG211", "POST /notes"),
    }
    hardened = outcome.results[("hardened", "probe")]
    assert [(f.rule, f.route) for f in hardened.findings] == []
