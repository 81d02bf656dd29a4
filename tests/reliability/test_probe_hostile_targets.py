"""Given a target that never answers usefully, the prober says so: exit 2, incomplete, never A.

Each target is a real server on 127.0.0.1 (tests/probe/servers.py) that serves a valid
spec and then stalls after the headers, sends an endless body, redirects everything, or
dies part-way. Every run is bounded by a short --timeout and --max-time.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from dynaguard.cli.main import main
from tests.probe.servers import Recorder, Route, endless, send_json, serving

ALICE = "alice=Authorization: Bearer rel-alice-token"
BOB = "bob=Authorization: Bearer rel-bob-token"
SECURED = [{"bearer": []}]
ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
OK = {"200": {"description": "ok"}}


def things_spec(n: int = 3) -> dict[str, Any]:
    """n resources, each a secured list, create, read and delete."""
    paths: dict[str, Any] = {}
    body = {"content": {"application/json": {"schema": {"type": "object"}}}}
    for i in range(n):
        paths[f"/t{i}"] = {
            "get": {"security": SECURED, "responses": OK},
            "post": {"security": SECURED, "requestBody": body, "responses": OK},
        }
        paths[f"/t{i}/{{id}}"] = {
            "parameters": ID,
            "get": {"security": SECURED, "responses": OK},
            "delete": {"security": SECURED, "responses": OK},
        }
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths}


def spec(doc: dict[str, Any]) -> Route:
    return lambda h: send_json(h, 200, doc)


def stall_after_headers(h: BaseHTTPRequestHandler) -> None:
    """Headers promise a body that never comes."""
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", "100")
    h.end_headers()
    h.wfile.flush()
    time.sleep(20)


def redirect_to_login(h: BaseHTTPRequestHandler) -> None:
    h.send_response(302)
    h.send_header("Location", "/login")
    h.send_header("Content-Length", "0")
    h.end_headers()


def dies_after(n: int) -> Route:
    """Answers n requests with a list, then drops every connection without a word."""
    count = [0]
    lock = threading.Lock()

    def route(h: BaseHTTPRequestHandler) -> None:
        with lock:
            count[0] += 1
            alive = count[0] <= n
        if alive:
            send_json(h, 200, [])
        else:
            h.close_connection = True

    return route


def probe(url: str, *extra: str) -> tuple[int, dict[str, Any], str, float]:
    argv = ["probe", url, "--identity", ALICE, "--identity", BOB, "--format", "json", "-q"]
    started = time.monotonic()
    code = main([*argv, "--timeout", "0.4", "--max-time", "20", *extra])
    return code, {}, "", time.monotonic() - started


def run(server: Recorder, capsys: pytest.CaptureFixture[str], *extra: str) -> Any:
    code, _, _, elapsed = probe(server.url, *extra)
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err, elapsed


@pytest.mark.parametrize(
    "route",
    [stall_after_headers, endless, redirect_to_login, dies_after(2)],
    ids=["stall-after-headers", "endless-body", "redirect-everything", "dies-mid-run"],
)
def test_a_target_with_no_usable_answer_is_never_a_clean_run(
    route: Route, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a target that serves its spec and then nothing usable
    with serving({"/openapi.json": spec(things_spec()), "*": route}) as server:
        # When probing it
        code, report, err, elapsed = run(server, capsys)
    # Then exit 2, incomplete, not graded A, a clear message, and it took seconds
    assert code == 2, err
    assert report["stats"]["complete"] is False and report["grade"] != "A"
    assert "no usable answer" in err or "stopped answering" in err, err
    assert "Traceback" not in err
    assert elapsed < 20


def test_a_partly_failed_run_says_how_much_was_tested(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a target where one operation of nine stalls and the rest answer
    def lists(h: BaseHTTPRequestHandler) -> None:
        send_json(h, 200, [])

    routes = {"/openapi.json": spec(things_spec()), "/t0": stall_after_headers, "*": lists}
    with serving(routes) as server:
        code, report, err, _ = run(server, capsys)
    # Then the run is incomplete and names the operation that got no answer
    assert code == 2
    assert report["stats"]["complete"] is False and report["grade"] != "A"
    assert "incomplete:" in err and "GET /t0" in err, err


def test_max_time_bounds_a_run_that_stalls_one_route_at_a_time(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given 20 resources that each stall (the per-route skip alone would cost minutes)
    with serving({"/openapi.json": spec(things_spec(20)), "*": stall_after_headers}) as server:
        code, report, err, elapsed = run(server, capsys, "--timeout", "1", "--max-time", "3")
    # Then the run stops near --max-time (a few requests' timeouts past it at most)
    assert code == 2 and elapsed < 10, (elapsed, err)
    assert report["stats"]["complete"] is False


def test_max_time_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["probe", "http://127.0.0.1:9", "--max-time", "0"]) == 2
    assert "--max-time" in capsys.readouterr().err
