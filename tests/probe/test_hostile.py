"""Given a hostile or broken server or spec, the prober stays bounded: recorded, not fatal, no hang.

Every case runs with a 0.5-1 s per-request deadline and must finish within a few seconds.
"""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from dynaguard.probe import Limits, ProbeError, ProbeOptions, parse_identity, run_async
from tests.probe.servers import endless, garbage, huge_json, send_json, serving, stall

ALICE = parse_identity("alice=Authorization: Bearer hostile-alice-token")
BOB = parse_identity("bob=Authorization: Bearer hostile-bob-token")
FAST = Limits(budget=120, timeout=0.5, max_bytes=200_000)


def spec_route(doc: Any) -> Any:
    def route(h: BaseHTTPRequestHandler) -> None:
        if isinstance(doc, str):
            data = doc.encode()
            h.send_response(200)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        else:
            send_json(h, 200, doc)

    return route


def exploding_refs(depth: int = 30) -> dict[str, Any]:
    """Each schema refers twice to the next: 2**30 nodes if expanded naively."""
    schemas = {
        f"S{i}": {
            "type": "object",
            "properties": {
                "a": {"$ref": f"#/components/schemas/S{i + 1}"},
                "b": {"$ref": f"#/components/schemas/S{i + 1}"},
            },
        }
        for i in range(depth)
    }
    schemas[f"S{depth}"] = {"type": "string"}
    return _doc({"$ref": "#/components/schemas/S0"}, schemas)


def _doc(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "components": {"schemas": schemas},
        "paths": {
            "/things": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": schema}}},
                    "responses": {"201": {"description": "ok"}},
                }
            }
        },
    }


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (stall, "no complete answer within"),
        (endless, "larger than"),
        (garbage, "cannot load the spec"),
        (spec_route("{not json: [}"), "neither JSON nor YAML"),
        (spec_route("[1, 2, 3]"), "not an OpenAPI document"),
        (spec_route({"openapi": "3.0.0", "info": {}}), "no 'paths'"),
        (spec_route({"swagger": "1.2", "paths": {}}), "neither 'openapi: 3.x'"),
        (spec_route(exploding_refs()), "after $ref expansion"),
        (spec_route("[" * 100_000), "nested too deeply"),
    ],
)
async def test_hostile_spec_gives_one_clear_error_quickly(route: Any, message: str) -> None:
    with serving({"/openapi.json": route}) as server:
        started = time.monotonic()
        with pytest.raises(ProbeError, match=message.replace("$", r"\$")):
            await run_async(ProbeOptions(target=server.url, identities=(ALICE,), limits=FAST))
        assert time.monotonic() - started < 5


async def test_recursive_ref_is_cut_and_the_run_goes_on() -> None:
    node = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "child": {"$ref": "#/components/schemas/Node"}},
    }
    doc = _doc({"$ref": "#/components/schemas/Node"}, {"Node": node})
    with serving({"/openapi.json": spec_route(doc)}) as server:
        result = await run_async(ProbeOptions(target=server.url, limits=FAST))
    assert any("recursive $ref" in w.message for w in result.warnings)


def hostile_api() -> dict[str, Any]:
    item = {
        "get": {"security": [{"b": []}], "responses": {"200": {"description": "ok"}}},
        "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
        ],
    }
    listing = {"get": {"security": [{"b": []}], "responses": {"200": {"description": "ok"}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "hostile", "version": "1"},
        "paths": {
            "/slow": listing,
            "/slow/{id}": item,
            "/stream": listing,
            "/stream/{id}": item,
            "/junk": listing,
            "/junk/{id}": item,
            "/big": listing,
            "/big/{id}": item,
        },
    }


async def test_hostile_endpoints_are_recorded_bounded_and_not_fatal() -> None:
    def item(h: BaseHTTPRequestHandler) -> None:
        kind = h.path.split("/")[1]
        {"slow": stall, "stream": endless, "junk": garbage, "big": huge_json}[kind](h)

    routes = {
        "/openapi.json": spec_route(hostile_api()),
        "/slow": stall,
        "/stream": endless,
        "/junk": garbage,
        "/big": huge_json,
        "*": item,
    }
    with serving(routes) as server:
        started = time.monotonic()
        result = await run_async(
            ProbeOptions(target=server.url, identities=(ALICE, BOB), limits=FAST)
        )
        elapsed = time.monotonic() - started
    assert elapsed < 30
    assert result.stats["failed_requests"] >= 3
    assert result.stats["truncated_responses"] >= 1
    assert result.findings == ()
    json.dumps(result.to_json())  # still a valid report


async def test_budget_is_a_hard_stop() -> None:
    with serving({"/openapi.json": spec_route(hostile_api()), "*": huge_json}) as server:
        result = await run_async(
            ProbeOptions(
                target=server.url,
                identities=(ALICE, BOB),
                limits=Limits(budget=5, timeout=1.0, max_bytes=10_000),
            )
        )
        assert len(server.requests) <= 5 + 1  # + the spec
    assert result.stats["requests"] <= 5
    assert any("budget" in e.message for e in result.errors)


async def test_rate_limit_spaces_requests() -> None:
    with serving({"/openapi.json": spec_route(hostile_api()), "*": huge_json}) as server:
        started = time.monotonic()
        result = await run_async(
            ProbeOptions(
                target=server.url, limits=Limits(budget=6, rate=20, timeout=1.0, max_bytes=1000)
            )
        )
        elapsed = time.monotonic() - started
    requests = result.stats["requests"]
    assert isinstance(requests, int) and requests >= 5
    assert elapsed >= (requests - 1) / 20


def test_password_in_target_url_is_not_reported() -> None:
    from dynaguard.probe.runner import display_target

    assert display_target("http://u:hunter22@127.0.0.1:8/x") == "http://u:[redacted]@127.0.0.1:8/x"
    assert display_target("http://127.0.0.1:8") == "http://127.0.0.1:8"
