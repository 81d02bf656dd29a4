"""Given a target that punishes a careless --active run, when probing, then it comes to no harm.

The evidence is the target's own storage and request log, never the prober's stats.
"""

from __future__ import annotations

import re

import httpx
import pytest

from dynaguard.demo.embedded import EmbeddedDynamoDB
from tests.probe.zoo.apps import licenses_pynamodb, safety
from tests.probe.zoo.apps.common import Zoo
from tests.probe.zoo.conftest import Run, probe_zoo
from tests.probe.zoo.manifest import STYLES


def reported(run: Run) -> str:
    """Everything the result says about its own run: errors and warnings."""
    return "\n".join(d.message for d in (*run.result.errors, *run.result.warnings))


async def still_signed_in(zoo: Zoo, header: str) -> int:
    """The status of GET /users/me with an identity's credentials, after the run."""
    name, value = header.split("=", 1)[1].split(": ", 1)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=zoo.app, raise_app_exceptions=False),
        base_url="http://testserver",
    ) as client:
        return (await client.get("/users/me", headers={name: value})).status_code


async def test_a_write_that_breaks_an_account_stops_the_run(
    dynamodb_server: EmbeddedDynamoDB,
) -> None:
    # Given an app whose spec declares role "admin" but whose loader no longer knows it
    zoo = safety.breakable_account()
    run = await probe_zoo(zoo)
    broken_at = zoo.state["broken_at"]
    if broken_at is None:
        # Then either no account was ever broken (every identity still works) ...
        assert run.result.stats["complete"] is True
        assert [await still_signed_in(zoo, i) for i in run.identities] == [200, 200]
        return
    # ... or the run saw it: no create after the break, an error naming the request,
    # an incomplete result that is never graded A.
    after = zoo.app.entries[broken_at:]
    assert [e for e in after if e[0] == "POST"] == [], after
    assert run.result.stats["complete"] is False
    assert run.result.stats["run_failed"] is True  # the CLI's exit 2
    assert run.result.grade != "A"
    errors = "\n".join(e.message for e in run.result.errors)
    assert "/users/me" in errors
    # What the broken account could no longer delete is named, object by object.
    for key in run.left_behind - {k for k in run.before if k.startswith("user:")}:
        assert key.split(":", 1)[1] in errors, (key, errors)


async def test_dotted_ids_never_reach_a_path(dynamodb_server: EmbeddedDynamoDB) -> None:
    # Given an app whose first creates answer ids ".", "..", "/" and "a/b"
    zoo = safety.dotted_ids()
    run = await probe_zoo(zoo)
    # Then no such id ever reaches a path (nor what "." and ".." normalise to)
    shapes = {"/things/.", "/things/..", "/things//", "/things/a/b", "/things/", "/"}
    assert [e for e in zoo.app.entries if e[1] in shapes] == []
    # And every delete names a well-formed id
    deletes = [p for m, p in zoo.app.entries if m == "DELETE"]
    assert all(re.fullmatch(r"/things/[0-9a-f]{32}", p) for p in deletes), deletes
    # And whatever could not be removed is reported, with an incomplete result
    if run.left_behind:
        assert run.result.stats["complete"] is False
        assert run.result.stats["run_failed"] is True


async def test_creates_without_an_id_leave_nothing_behind(
    dynamodb_server: EmbeddedDynamoDB,
) -> None:
    zoo = safety.idless_creates()
    run = await probe_zoo(zoo)
    assert run.left_behind == set()
    assert run.pairs == set()
    assert run.result.errors == ()
    # The run did create (the list diff is how it found its objects).
    assert ("POST", "/bookmarks") in zoo.app.entries


@pytest.mark.parametrize(
    ("bug", "expected"), [(None, set()), ("bola_read", {("DG201", "GET /widgets/{widget_id}/")})]
)
async def test_collections_ending_in_a_slash(
    dynamodb_server: EmbeddedDynamoDB, bug: str | None, expected: set[tuple[str, str]]
) -> None:
    zoo = safety.slashed_collections(bug)
    run = await probe_zoo(zoo)
    assert run.pairs == expected
    assert run.left_behind == set()
    # Then the paths are sent as the spec writes them: no slash stripped (no 307 detours).
    assert not [p for _, p in zoo.app.entries if p.startswith("/widgets") and not p.endswith("/")]
    assert ("POST", "/widgets/") in zoo.app.entries


async def test_admin_only_deletes_with_an_admin_identity(
    dynamodb_server: EmbeddedDynamoDB,
) -> None:
    # Given licences only an admin may delete, and root[admin] among the identities
    zoo = licenses_pynamodb.make_app(None)
    run = await probe_zoo(zoo, admin=True)
    # Then the run creates (as root) and removes everything it created
    assert ("POST", "/licenses/") in zoo.app.entries
    assert run.left_behind == set()
    assert run.result.errors == ()


def _safe_targets() -> list[object]:
    styles = [pytest.param(name, id=name) for name in STYLES]
    return [*styles, *(pytest.param(n, id=n) for n in ("breakable", "dotted", "idless", "slashed"))]


SAFETY_APPS = {
    "breakable": safety.breakable_account,
    "dotted": safety.dotted_ids,
    "idless": safety.idless_creates,
    "slashed": safety.slashed_collections,
}


@pytest.mark.parametrize("target", _safe_targets())
async def test_safe_mode_is_read_only_in_the_targets_own_log(
    dynamodb_server: EmbeddedDynamoDB, target: str
) -> None:
    # Given a target (its identities signed up before the log starts)
    zoo = STYLES[target].make_app(None) if target in STYLES else SAFETY_APPS[target]()
    # When probing without --active
    run = await probe_zoo(zoo, active=False, admin=False)
    # Then the target's own log holds no state-changing request, and its storage is unchanged
    assert zoo.app.entries, "the run sent nothing"
    assert run.writes == []
    assert run.after == run.before
    # and every state-changing operation it did not send is listed, with its reason
    not_exercised = run.result.stats["not_exercised"]
    assert isinstance(not_exercised, dict) and not_exercised
