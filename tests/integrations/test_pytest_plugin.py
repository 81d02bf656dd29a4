"""The pytest helper: probe an ASGI app in-process and fail the test on findings.

Given the demo's vulnerable and hardened apps (in this process, on the session's
DynamoDB), when a test calls `dynaguard_probe(app, identities=..., fail_on="medium")`,
then it fails with a readable summary on the vulnerable app and passes on the hardened
one. A user's suite gets the fixture from the plugin (a pytest11 entry point).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from dynaguard.demo.embedded import EmbeddedDynamoDB
from dynaguard.testing.probe import dynaguard_probe, dynaguard_probe_async
from tests.integrations.conftest import ROOT
from tests.integrations.demo_apps import DemoApp, demo_apps

# What the probes prove on the vulnerable app at or above medium.
VULNERABLE_AT_MEDIUM = {
    ("DG201", "GET /notes/{note_id}"),
    ("DG202", "DELETE /notes/{note_id}"),
    ("DG203", "PUT /notes/{note_id}/pin"),
    ("DG204", "PATCH /users/me"),
    ("DG205", "PATCH /users/me"),
    ("DG205", "PUT /notes/{note_id}"),
    ("DG205", "PUT /projects/{project_id}"),
    ("DG205", "PUT /users/me"),
    ("DG206", "PUT /projects/{project_id}"),
    ("DG207", "POST /notes/{note_id}/archive"),
    ("DG209", "GET /users/me"),
}
# Also proven, below medium: DG208 on GET /attachments/{attachment_id}, DG210 on
# GET /projects/{project_id}, DG211 on POST /notes (low).


@pytest.fixture(scope="module")
def apps(dynamodb_server: EmbeddedDynamoDB) -> Iterator[dict[str, DemoApp]]:
    """Both demo apps, imported here, with tokens for alice, bob and admin."""
    with demo_apps(dynamodb_server) as built:
        yield built


def test_fails_on_the_vulnerable_app_with_a_summary(apps: dict[str, DemoApp]) -> None:
    demo = apps["vulnerable"]
    with pytest.raises(pytest.fail.Exception) as failed:
        dynaguard_probe(demo.app, identities=demo.identities("alice", "bob"), fail_on="medium")
    text = str(failed.value)
    assert text.startswith(f"dynaguard_probe: {len(VULNERABLE_AT_MEDIUM)} finding(s) at or above")
    listed = {
        (line.split()[0], " ".join(line.split(" on ", 1)[1].split(":")[0].split()))
        for line in text.splitlines()
        if line.startswith("  DG")
    }
    assert listed == VULNERABLE_AT_MEDIUM
    assert "Bearer" not in text  # the tokens are redacted


def test_passes_on_the_hardened_app(apps: dict[str, DemoApp]) -> None:
    demo = apps["hardened"]
    result = dynaguard_probe(demo.app, identities=demo.identities("alice", "bob"))
    assert result.findings == ()
    assert result.stats.get("complete") is True


async def test_async_helper_in_an_async_test(apps: dict[str, DemoApp]) -> None:
    demo = apps["vulnerable"]
    # Below the threshold: DG211 (low) alone does not fail a gate at medium.
    result = await dynaguard_probe_async(
        demo.app, identities=demo.identities("alice", "bob"), select=["DG211"]
    )
    assert {(f.rule, f.route) for f in result.findings} == {("DG211", "POST /notes")}


def test_bad_identity_is_one_clear_failure() -> None:
    async def app(scope: object, receive: object, send: object) -> None:
        raise AssertionError("never called")

    with pytest.raises(pytest.fail.Exception, match="dynaguard_probe: "):
        dynaguard_probe(app, identities=["no header here"])


USER_SUITE = """
from fastapi import FastAPI, Header

app = FastAPI()
NOTES = {"1": {"id": "1", "owner": "alice", "text": "alice's"}}


def me(authorization: str = Header()) -> str:
    return authorization.removeprefix("Bearer ")


@app.get("/notes/{note_id}")
def read(note_id: str, authorization: str = Header()):
    return NOTES[note_id]  # no ownership check: bob reads alice's note


@app.get("/notes")
def mine(authorization: str = Header()):
    return [n for n in NOTES.values() if n["owner"] == me(authorization)]


def test_notes_api(dynaguard_probe):
    dynaguard_probe(app, identities={"alice": {"Authorization": "Bearer alice"},
                                     "bob": {"Authorization": "Bearer bob"}}, active=False)
"""


def test_a_users_suite_gets_the_fixture_from_the_plugin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The entry point pytest loads once dynaguard is installed ...
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    entry = project["project"]["entry-points"]["pytest11"]["dynaguard"]
    assert entry == "dynaguard.testing.plugin"
    # ... given explicitly here (the test environment may hold an older install), to a
    # user's suite run by pytest in this process, as pytester does.
    (tmp_path / "test_user.py").write_text(USER_SUITE, encoding="utf-8")
    # (`no:dynaguard` first: an installed entry point would register the module twice)
    args = [
        "-q",
        "-p",
        "no:dynaguard",
        "-p",
        entry,
        "-p",
        "no:cacheprovider",
        "-p",
        "no:asyncio",
        "--rootdir",
        str(tmp_path),
    ]
    code = pytest.main([*args, str(tmp_path / "test_user.py")])
    out = capsys.readouterr().out
    assert code == pytest.ExitCode.TESTS_FAILED, out
    assert "dynaguard_probe: 1 finding(s) at or above medium" in out
    assert "DG201 bola-read on GET /notes/{note_id}" in out
