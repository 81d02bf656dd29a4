"""Given a zoo app with one planted flaw, when the prober runs --active, then it finds exactly it.

Each style is written the way real services are (not like the demo); the identities
come from the app's own signup and login, with an admin where the app has roles. The
clean twin must give nothing, every run must leave the app's storage as it found it,
and no run may report errors.
"""

from __future__ import annotations

import pytest

from dynaguard.demo.embedded import EmbeddedDynamoDB
from tests.probe.zoo.conftest import probe_zoo
from tests.probe.zoo.manifest import CASES, GAPS, STYLES


def _cases() -> list[object]:
    out: list[object] = []
    for style, bugs in CASES.items():
        for bug in bugs:
            gap = GAPS.get((style, bug))
            marks = [pytest.mark.xfail(strict=True, reason=f"todo-expect: {gap}")] if gap else []
            out.append(pytest.param(style, bug, id=f"{style}-{bug or 'clean'}", marks=marks))
    return out


def test_every_probe_class_is_planted_somewhere() -> None:
    planted = {rule for bugs in CASES.values() for pairs in bugs.values() for rule, _ in pairs}
    assert planted == {f"DG2{n:02d}" for n in range(1, 16)}
    for style, bugs in CASES.items():
        assert set(bugs) - {None} == set(STYLES[style].BUGS), style


@pytest.mark.parametrize(("style", "bug"), _cases())
async def test_zoo_case(dynamodb_server: EmbeddedDynamoDB, style: str, bug: str | None) -> None:
    zoo = STYLES[style].make_app(bug)
    run = await probe_zoo(zoo)
    messages = [f"{f.rule} {f.route}: {f.message}" for f in run.result.findings]
    assert run.pairs == CASES[style][bug], messages
    assert run.left_behind == set(), "the run left objects behind"
    assert [e.message for e in run.result.errors] == []
    assert run.result.stats["complete"] is True
