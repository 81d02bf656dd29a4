"""Given a target that redirects or names other servers, the prober sends nothing elsewhere.

"Elsewhere" is a second real server on 127.0.0.1 (another port) that records every
request; the assertions are on its log.
"""

from __future__ import annotations

from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from dynaguard.probe import Limits, ProbeError, ProbeOptions, parse_identity, run_async
from tests.probe.servers import Recorder, send_json, serving

ALICE = parse_identity("alice=Authorization: Bearer scope-alice-token")
BOB = parse_identity("bob=Authorization: Bearer scope-bob-token")


def poisoned_spec(elsewhere: str) -> dict[str, Any]:
    secured = [{"bearer": []}]
    get = {"get": {"security": secured, "responses": {"200": {"description": "ok"}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "poisoned", "version": "1"},
        "servers": [{"url": elsewhere}],
        "paths": {
            "/things": {
                **get,
                "post": {
                    "security": secured,
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"name": {"type": "string"}},
                                }
                            }
                        }
                    },
                    "responses": {"201": {"description": "created"}},
                },
            },
            "/things/{id}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                **get,
                "put": {"security": secured, "responses": {"200": {"description": "ok"}}},
                "delete": {"security": secured, "responses": {"204": {"description": "ok"}}},
            },
            "//" + elsewhere.split("//", 1)[1] + "/stolen": get,
        },
    }


def target_routes(elsewhere: str) -> dict[str, Callable[[BaseHTTPRequestHandler], None]]:
    def spec(h: BaseHTTPRequestHandler) -> None:
        send_json(h, 200, poisoned_spec(elsewhere))

    def redirect(h: BaseHTTPRequestHandler) -> None:
        h.send_response(302 if h.command == "GET" else 307)
        h.send_header("Location", f"{elsewhere}/stolen{h.path}")
        h.send_header("Content-Length", "0")
        h.end_headers()

    def things(h: BaseHTTPRequestHandler) -> None:
        if h.command == "POST":
            send_json(h, 201, {"id": "t1", "name": "x", "owner": "alice"})
        else:
            send_json(h, 200, [{"id": "t1", "owner": "alice"}])

    return {"/openapi.json": spec, "/things": things, "*": redirect}


@pytest.mark.parametrize("active", [False, True])
async def test_redirects_and_poisoned_servers_reach_nothing_elsewhere(active: bool) -> None:
    with serving({}) as elsewhere, serving(target_routes("")) as target:
        target.routes.update(target_routes(elsewhere.url))
        result = await run_async(
            ProbeOptions(
                target=target.url,
                identities=(ALICE, BOB),
                active=active,
                limits=Limits(budget=200, timeout=2.0),
            )
        )
        assert elsewhere.requests == []
        assert target.requests, "the target itself was probed"
        warnings = " ".join(w.message for w in result.warnings)
        assert "outside the target; ignored" in warnings
        assert "not followed" in warnings
        assert "names another host; skipped" in warnings


async def test_spec_url_elsewhere_is_refused_before_any_request() -> None:
    with serving({}) as elsewhere, serving({}) as target:
        with pytest.raises(ProbeError, match="not on the target"):
            await run_async(ProbeOptions(target=target.url, spec=f"{elsewhere.url}/openapi.json"))
        assert elsewhere.requests == [] and target.requests == []


def test_recorder_records(tmp_path: Any) -> None:
    """The 'elsewhere' server would have noticed a request (the assertions above can fail)."""
    import httpx

    with serving({}) as server:
        httpx.get(f"{server.url}/x", trust_env=False)
        assert server.requests == [("GET", "/x")]
    assert isinstance(server, Recorder)


def test_profile_is_writable_only_by_put_or_patch_at_its_own_path() -> None:
    """--active may update (then restore) /users/me, nothing else there: no DELETE, no action."""
    from dynaguard.probe import Limits
    from dynaguard.probe.client import ScopedClient
    from dynaguard.probe.errors import SafetyError

    client = ScopedClient("http://127.0.0.1:9", identities=[ALICE], limits=Limits(), active=True)
    client.own_profile("/users/me")
    for method in ("PUT", "PATCH"):
        client._check_safety(method, "/users/me", create=False)
    refused = [
        ("DELETE", "/users/me"),
        ("POST", "/users/me/deactivate"),
        ("PUT", "/users/me/role"),
        ("PATCH", "/users/other"),
    ]
    for method, path in refused:
        with pytest.raises(SafetyError):
            client._check_safety(method, path, create=False)


def test_active_help_documents_the_profile_exception(capsys: pytest.CaptureFixture[str]) -> None:
    from dynaguard.cli.main import main

    with pytest.raises(SystemExit):
        main(["probe", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "own profile (a singleton such as /users/me), which is updated and restored" in text
