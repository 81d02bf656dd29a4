"""Given a planted bug, when the prober runs --active in-process, then it finds exactly that bug.

Each case is the notes app with one planted mistake; the clean twin (no bug) must give
nothing. The comparison is the exact set of (rule, route) pairs.
"""

from __future__ import annotations

import pytest

from tests.probe.conftest import MakeApp, pairs, probe, scan, seed

ITEM = "/notes/{note_id}"
CASES = {
    "bola_read": {("DG201", f"GET {ITEM}")},
    "bola_comment": {("DG201", "GET /notes/{note_id}/comments/{comment_id}")},
    "bola_write": {("DG202", f"PUT {ITEM}"), ("DG202", f"DELETE {ITEM}")},
    "unauth": {("DG203", f"GET {ITEM}")},
    "mass_assign": {("DG204", "POST /notes")},
    "lost_update": {("DG205", f"PUT {ITEM}")},
    "id_tamper": {("DG206", f"PUT {ITEM}")},
    "error_leak": {("DG207", f"PUT {ITEM}")},
    "unvalidated": {("DG208", f"GET {ITEM}")},
    "overexpose": {("DG209", f"GET {ITEM}")},
    "leaky_list": {("DG209", "GET /notes")},
    "oracle": {("DG210", f"GET {ITEM}")},
    "predictable": {("DG211", "POST /notes")},
}


async def test_clean_twin_has_no_finding(notes_app: MakeApp) -> None:
    app = notes_app()
    result = await probe(app)
    assert pairs(result) == set(), [f.message for f in result.findings]
    assert result.errors == ()
    assert result.stats["objects_created"] == result.stats["objects_deleted"]
    # The table itself is the proof: nothing the run created is left in it.
    assert scan(app) == []


@pytest.mark.parametrize("bug", sorted(CASES))
async def test_planted_bug_is_found_exactly(notes_app: MakeApp, bug: str) -> None:
    app = notes_app(bug)
    result = await probe(app)
    assert pairs(result) == CASES[bug], [f.message for f in result.findings]
    assert scan(app) == [], "the run left objects behind"
    for finding in result.findings:
        # --active: even DG211 carries its proof (the create whose id was predicted).
        exchanges = finding.evidence.get("exchanges")
        assert isinstance(exchanges, list) and exchanges, finding.rule
    assert result.errors == (), result.errors


async def test_fingerprints_are_stable_across_runs(notes_app: MakeApp) -> None:
    app = notes_app("unauth", "oracle")
    first = await probe(app)
    second = await probe(app)
    assert {f.fingerprint for f in first.findings} == {f.fingerprint for f in second.findings}
    assert len(first.findings) == 2


async def test_exclude_path_is_never_requested(notes_app: MakeApp) -> None:
    app = notes_app("bola_comment")
    result = await probe(app, exclude_paths=(r"/comments",))
    assert pairs(result) == set()
    assert not [p for _, p in app.state.log if "/comments" in p]


async def test_sequential_ids_are_found_beside_an_old_object(notes_app: MakeApp) -> None:
    # Given a counter-id app where alice already has an old note far from the counter
    app = notes_app("predictable")
    seed(app, [{"note_id": "900000", "owner": "alice", "title": "from last year"}])
    # When probing, Then the run's own consecutive creations still prove DG211
    result = await probe(app)
    assert pairs(result) == {("DG211", "POST /notes")}, [f.message for f in result.findings]
