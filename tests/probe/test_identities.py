"""Identities: parsing, a refused identity at the start, and one revoked during the run."""

from __future__ import annotations

import pytest

from dynaguard.probe import ProbeError, parse_identities, parse_identity
from tests.probe.conftest import MakeApp, cli_app_argv, probe, scan


@pytest.mark.parametrize(
    "text",
    [
        "alice",
        "alice=",
        "=Authorization: x",
        "alice=Authorization",
        "alice=Bad Header: x",
        "alice=X-Key:",
        "a b=X-Key: v",
        "alice=X-Key: a\r\nInjected: 1",
    ],
)
def test_bad_identity_is_one_clear_error(text: str) -> None:
    with pytest.raises(ProbeError, match="--identity"):
        parse_identity(text)


def test_identity_headers_merge_and_secrets_include_bare_tokens() -> None:
    [alice] = parse_identities(["alice=Authorization: Bearer abc.def", "alice=Cookie: sid=s3ss10n"])
    assert alice.headers == {"Authorization": "Bearer abc.def", "Cookie": "sid=s3ss10n"}
    # Only the credential parts: the scheme name and the cookie's name are not secret.
    assert set(alice.secrets()) == {"abc.def", "s3ss10n"}
    [root] = parse_identities(["root[admin]=X-Key: k"])
    assert (root.name, root.role, root.secrets()) == ("root", "admin", ["k"])
    with pytest.raises(ProbeError, match="reserved"):
        parse_identities(["anonymous=X-Key: v"])


async def test_refused_identity_stops_before_probing(notes_app: MakeApp) -> None:
    app = notes_app()
    with pytest.raises(ProbeError, match="identity mallory is refused"):
        await probe(app, identities=("mallory=Authorization: Bearer wrong-token",))
    assert {m for m, _ in app.state.log} == {"GET"}


async def test_identity_revoked_mid_run_stops_with_a_clear_message(notes_app: MakeApp) -> None:
    app = notes_app("bola_read")
    app.state.revoke_after["bob"] = 12
    result = await probe(app)
    messages = [e.message for e in result.errors]
    assert any("identity bob stopped working" in m for m in messages), messages
    assert len(result.rules) < 11  # the run stopped early
    # Cleanup still ran: none of alice's notes is left in the table; bob's, which his
    # revoked token cannot delete any more, are each reported as an error.
    owners = [n["owner"] for n in scan(app)]  # notes and comments
    assert "alice" not in owners, owners
    undeleted = [m for m in messages if m.startswith("could not delete")]
    assert len(undeleted) == owners.count("bob") > 0, (undeleted, owners)


def test_cli_exits_2_when_the_run_did_not_complete(
    notes_app: MakeApp, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from dynaguard.cli.main import main

    argv = cli_app_argv(notes_app(), monkeypatch)
    assert main([*argv, "--budget", "15", "--format", "json", "-q"]) == 2
    assert "did not complete" in capsys.readouterr().err
