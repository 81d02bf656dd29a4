"""The join itself (dynaguard.core.correlate) and reading JSON reports back."""

from __future__ import annotations

from dynaguard.core.correlate import PAIRS, join, route_key
from dynaguard.core.findings import Confidence, EngineKind, Finding, Severity, fingerprint
from dynaguard.core.readback import from_json
from dynaguard.core.result import Diagnostic, Result


def finding(rule: str, route: str, severity: Severity = Severity.HIGH, **kw: object) -> Finding:
    """A finding of `rule` on `route`."""
    return Finding(
        rule=rule,
        name=f"name-{rule.lower()}",
        severity=severity,
        confidence=Confidence.MEDIUM,
        title=f"title {rule}",
        message=f"{rule} on {route}",
        fix="fix it",
        fingerprint=fingerprint(rule, route, str(kw.get("path"))),
        route=route,
        **kw,  # type: ignore[arg-type]
    )


def result(engine: EngineKind, *findings: Finding, **kw: object) -> Result:
    """A result of `engine` holding `findings`."""
    return Result(tool_version="1", engine=engine, target=engine.value, findings=findings, **kw)  # type: ignore[arg-type]


def test_route_key_ignores_parameter_names_case_and_trailing_slash() -> None:
    assert route_key("put /items/{item_id}/") == route_key("PUT /items/{id}") == "PUT /items/{}"
    assert route_key("GET /") == "GET /"
    assert route_key(None) is None


def test_join_confirms_by_route_and_class_only() -> None:
    static = result(
        EngineKind.STATIC,
        finding("DG103", "GET /notes/{note_id}", path="app.py", line=3),
        finding("DG101", "GET /notes/{note_id}", path="app.py", line=3),  # no DG201 pairing
        finding("DG103", "PUT /notes/{note_id}", path="app.py", line=9),  # no probe there
    )
    proof = finding("DG201", "GET /notes/{id}", Severity.CRITICAL, evidence={"exchanges": []})
    probe = result(EngineKind.PROBE, proof, finding("DG209", "GET /me"))
    joined = join(static, probe, {"GET /me": ("app.py", 20)})
    tags = {(f.rule, f.route, f.evidence["correlation"]) for f in joined.findings}
    assert tags == {
        ("DG103", "GET /notes/{note_id}", "confirmed"),
        ("DG101", "GET /notes/{note_id}", "static"),
        ("DG103", "PUT /notes/{note_id}", "static"),
        ("DG209", "GET /me", "probe"),
    }
    confirmed = next(f for f in joined.findings if f.evidence["correlation"] == "confirmed")
    assert confirmed.severity is Severity.CRITICAL and confirmed.confidence is Confidence.HIGH
    assert confirmed.evidence["confirmed_by"][0]["fingerprint"] == proof.fingerprint  # type: ignore[index]
    me = next(f for f in joined.findings if f.rule == "DG209")
    assert (me.path, me.line, me.evidence["handler"]) == ("app.py", 20, "app.py:20")
    assert joined.engine is EngineKind.COMBINED
    assert (joined.stats["confirmed"], joined.stats["static_only"], joined.stats["probe_only"]) == (
        1,
        2,
        1,
    )


def test_one_proof_confirms_every_static_finding_it_matches_and_is_listed_once() -> None:
    static = result(
        EngineKind.STATIC,
        finding("DG103", "DELETE /n/{id}", path="a.py", line=1),
        finding("DG110", "DELETE /n/{id}", path="a.py", line=5),
    )
    probe = result(EngineKind.PROBE, finding("DG202", "DELETE /n/{id}"))
    joined = join(static, probe)
    assert sorted(f.evidence["correlation"] for f in joined.findings) == ["confirmed"] * 2  # type: ignore[type-var]
    assert joined.stats["probe_only"] == 0


def test_an_incomplete_probe_makes_an_incomplete_join() -> None:
    probe = result(
        EngineKind.PROBE,
        stats={"complete": False},
        errors=(Diagnostic(path="x", message="identity refused"),),
    )
    joined = join(result(EngineKind.STATIC), probe)
    assert joined.stats["complete"] is False
    assert [e.message for e in joined.errors] == ["[probe] identity refused"]


def test_every_pair_names_a_static_rule_and_probes() -> None:
    for static, probes in PAIRS.items():
        assert static.startswith("DG1") and probes and all(p.startswith("DG2") for p in probes)


def test_json_reports_read_back_equal() -> None:
    original = result(
        EngineKind.STATIC,
        finding("DG103", "GET /a", path="a.py", line=2, column=3, end_line=4, cwe="CWE-639"),
        errors=(Diagnostic(path="b.py", line=1, message="invalid syntax"),),
        stats={"files": 2},
    )
    again = from_json(original.to_json())
    assert again.findings == original.findings
    assert again.errors == original.errors and again.stats == original.stats
    assert again.to_json() == original.to_json()
