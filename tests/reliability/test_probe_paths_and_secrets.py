"""Given a hostile target, ids never change a path's shape, other origins are never reached,
and only the credential part of a header is redacted (any length), never the scheme.

Targets are real servers on 127.0.0.1 that record every request they receive.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from dynaguard.probe import Limits, ProbeOptions, parse_identity, run_async
from dynaguard.probe.client import ScopedClient
from tests.probe.servers import Route, send_json, serving

ALICE = parse_identity("alice=Authorization: Bearer ab")
BOB = parse_identity("bob=X-Key: q")
FAST = Limits(budget=200, timeout=2.0, max_time=30)
ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
OK = {"200": {"description": "ok"}}
SECURED = [{"bearer": []}]


def things_spec(servers: list[str] | None = None) -> dict[str, Any]:
    body = {"content": {"application/json": {"schema": {"type": "object"}}}}
    doc: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things": {
                "get": {"security": SECURED, "responses": OK},
                "post": {"security": SECURED, "requestBody": body, "responses": OK},
            },
            "/things/{id}": {
                "parameters": ID,
                "get": {"security": SECURED, "responses": OK},
                "put": {"security": SECURED, "requestBody": body, "responses": OK},
                "delete": {"security": SECURED, "responses": OK},
            },
        },
    }
    if servers is not None:
        doc["servers"] = [{"url": s} for s in servers]
    return doc


def api(oid: str, doc: dict[str, Any]) -> dict[str, Route]:
    """A things API whose creates all answer the same (hostile) id."""

    def things(h: BaseHTTPRequestHandler) -> None:
        if h.command == "POST":
            send_json(h, 201, {"id": oid, "name": "x"})
        else:
            send_json(h, 200, [{"id": oid, "name": "x"}])

    def item(h: BaseHTTPRequestHandler) -> None:
        send_json(h, 200, {"id": oid, "name": "x"})

    return {"/openapi.json": lambda h: send_json(h, 200, doc), "/things": things, "*": item}


@pytest.mark.parametrize("oid", [".", "..", "a/b", "../.."])
async def test_a_hostile_id_is_never_put_into_a_path(oid: str) -> None:
    # Given a target whose creates answer the id `.`, `..` or one containing `/`
    with serving(api(oid, things_spec())) as server:
        # When probing it with --active
        result = await run_async(
            ProbeOptions(target=server.url, identities=(ALICE, BOB), active=True, limits=FAST)
        )
    # Then no write ever went anywhere but the creates, and nothing with the id in its path
    writes = [(m, p) for m, p in server.requests if m not in ("GET", "HEAD", "POST")]
    assert writes == [], writes
    assert all(
        p.split("?")[0] in ("/openapi.json", "/things") for m, p in server.requests if m == "POST"
    )
    assert not [p for _, p in server.requests if p.rstrip("/") in ("", "/things/.", "/things/..")]
    # And the objects it could not address are reported as left behind: the run failed
    assert any("cannot be put in a path safely" in e.message for e in result.errors)
    assert result.stats["run_failed"] is True and result.grade != "A"


async def test_a_network_path_server_is_another_origin() -> None:
    # Given a spec whose server is `//127.0.0.1:OTHER/x`, another origin written without scheme
    with serving({"*": lambda h: send_json(h, 200, [])}) as elsewhere:
        other = elsewhere.url.removeprefix("http:")
        with serving(api("t1", things_spec([other + "/x"]))) as server:
            result = await run_async(
                ProbeOptions(target=server.url, identities=(ALICE, BOB), limits=FAST)
            )
        # Then it is ignored with a warning: nothing reached it, nothing was sent under /x
        assert elsewhere.requests == []
    assert any("outside the target" in w.message for w in result.warnings)
    assert not [p for _, p in server.requests if "127.0.0.1" in p or p.startswith("/x")]
    assert ("GET", "/things") in server.requests


async def test_only_the_credential_is_redacted_whatever_its_length() -> None:
    # Given identities whose credentials are 2 and 1 characters long, and a server that
    # echoes them and names the Bearer scheme in its own answers
    def echo(h: BaseHTTPRequestHandler) -> None:
        auth = h.headers.get("Authorization") or ""
        key = h.headers.get("X-Key") or ""
        body = {"seen": auth, "key": key, "word": "abc q1", "scheme": "Bearer"}
        send_json(h, 200, body, WWW_Authenticate="Bearer realm=x")

    with serving({"*": echo}) as server:
        client = ScopedClient(server.url, identities=[ALICE, BOB], limits=FAST)
        try:
            seen = [await client.send(i, "GET", "/x", route="GET /x") for i in (ALICE, BOB)]
        finally:
            await client.aclose()
    # Then each credential is gone from the record, the scheme and other words are kept
    alice, bob = (json.dumps(e.to_json()) for e in seen)
    assert seen[0].request_headers == {
        "User-Agent": "dynaguard-probe",
        "Authorization": "Bearer [redacted]",
    } or (seen[0].request_headers["Authorization"] == "Bearer [redacted]")
    assert seen[1].request_headers["X-Key"] == "[redacted]"
    assert json.loads(seen[0].response_body)["seen"] == "Bearer [redacted]"
    assert json.loads(seen[1].response_body)["key"] == "[redacted]"
    assert seen[0].response_headers["www-authenticate"] == "Bearer realm=x"
    for text in (alice, bob):
        assert "abc q1" in text and '\\"scheme\\": \\"Bearer\\"' in text, text
        assert "Bearer ab" not in text and '\\"q\\"' not in text


async def test_only_a_same_origin_trailing_slash_redirect_is_followed() -> None:
    # Given a spec that writes `/things` where the server answers at `/things/` (307), and
    # whose item redirects to a login page
    def slash(h: BaseHTTPRequestHandler) -> None:
        h.send_response(307)
        h.send_header("Location", h.path + "/")
        h.send_header("Content-Length", "0")
        h.end_headers()

    def login(h: BaseHTTPRequestHandler) -> None:
        h.send_response(302)
        h.send_header("Location", "/login")
        h.send_header("Content-Length", "0")
        h.end_headers()

    routes = {
        "/openapi.json": lambda h: send_json(h, 200, things_spec()),
        "/things": slash,
        "/things/": lambda h: send_json(h, 200, [{"id": "t1", "name": "x"}]),
        "*": login,
    }
    with serving(routes) as server:
        result = await run_async(
            ProbeOptions(target=server.url, identities=(ALICE, BOB), limits=FAST)
        )
    # Then the list is read through the slash redirect, and the login redirect is reported
    assert ("GET", "/things/") in server.requests
    assert not any(p == "/login" for _, p in server.requests)
    warnings = [w.message for w in result.warnings]
    assert not any(
        "redirect to" in w and w.endswith("/things/ (on the target) not followed") for w in warnings
    )
    assert any("/login (on the target) not followed" in w for w in warnings), warnings
