"""Given no --active, when the prober runs, then the target's own log shows only safe methods.

Objects are seeded straight into DynamoDB (the prober did not create them), so the
read-only probes still have something to prove BOLA, oracles and leaks on.
"""

from __future__ import annotations

import pytest

from tests.probe.apps.notes_app import BUGS
from tests.probe.conftest import MakeApp, pairs, probe, seed

SAFE = {"GET", "HEAD", "OPTIONS"}
ITEM = "GET /notes/{note_id}"
NOTES = [
    {"note_id": "a1", "owner": "alice", "title": "alice's secret plan", "share_token": "s-a1"},
    {"note_id": "a2", "owner": "alice", "title": "alice again"},
    {"note_id": "b1", "owner": "bob", "title": "bob's note"},
]


@pytest.mark.parametrize(
    ("bugs", "expected"),
    [
        ((), set()),
        (("bola_read",), {("DG201", ITEM)}),
        (("oracle",), {("DG210", ITEM)}),
        (("unauth",), {("DG203", ITEM)}),
        (("unvalidated",), {("DG208", ITEM)}),
        (("overexpose",), {("DG209", ITEM)}),
    ],
)
async def test_safe_mode_proves_read_only_classes(
    notes_app: MakeApp, bugs: tuple[str, ...], expected: set[tuple[str, str]]
) -> None:
    app = notes_app(*bugs)
    seed(app, NOTES)
    result = await probe(app, active=False)
    assert pairs(result) == expected, [f.message for f in result.findings]
    assert {m for m, _ in app.state.log} <= SAFE
    assert result.stats["objects_created"] == 0


async def test_safe_mode_with_every_bug_sends_nothing_state_changing(notes_app: MakeApp) -> None:
    app = notes_app(*BUGS)
    seed(app, NOTES)
    result = await probe(app, active=False)
    methods = [m for m, _ in app.state.log]
    assert set(methods) <= SAFE, sorted(set(methods))
    # The spec fetch is the one request outside the probe log.
    assert len(methods) == result.stats["requests"] + 1


async def test_destructive_get_is_never_sent_even_with_active(notes_app: MakeApp) -> None:
    app = notes_app("bola_write")
    seed(app, NOTES)
    await probe(app, active=True)
    assert ("GET", "/admin/reset") not in app.state.log
    # Objects the run did not create are untouched: no write ever names them.
    touched = {p for m, p in app.state.log if m not in SAFE}
    assert not touched & {"/notes/a1", "/notes/a2", "/notes/b1"}
