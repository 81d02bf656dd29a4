"""Tiny real servers on 127.0.0.1 for the prober's tests: hostile ones, and 'elsewhere'.

Each is a stdlib threading server on an ephemeral port that records every request it
receives, so a test can assert that nothing reached it.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import uvicorn

Route = Callable[[BaseHTTPRequestHandler], None]


class Recorder(ThreadingHTTPServer):
    """A threading HTTP server that keeps (method, path) of every request."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.requests: list[tuple[str, str]] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Recorder
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _any(self) -> None:
        self.server.requests.append((self.command, self.path))
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        route = self.server.routes.get(self.path.split("?")[0]) or self.server.routes.get("*")
        try:
            if route is None:
                send_json(self, 404, {"detail": "not found"})
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _any


def send_json(handler: BaseHTTPRequestHandler, status: int, body: Any, **headers: str) -> None:
    """Answer with a JSON body."""
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    for k, v in headers.items():
        handler.send_header(k.replace("_", "-"), v)
    handler.end_headers()
    handler.wfile.write(data)


def stall(handler: BaseHTTPRequestHandler) -> None:
    """Never answer (for longer than any test waits)."""
    time.sleep(30)


def endless(handler: BaseHTTPRequestHandler) -> None:
    """A 200 whose JSON body never ends (bounded at 200 MB so the thread finishes)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(b"[")
    chunk = b'"' + b"A" * 65536 + b'",'
    for _ in range(3200):
        handler.wfile.write(chunk)


def garbage(handler: BaseHTTPRequestHandler) -> None:
    """Bytes that are not HTTP at all."""
    handler.wfile.write(b"\x00\xff\xfe garbage \r\n\r\n\x00" * 50)
    handler.close_connection = True


def huge_json(handler: BaseHTTPRequestHandler) -> None:
    """A well-formed JSON answer of ~5 MB."""
    send_json(handler, 200, [{"id": str(i), "pad": "x" * 1000} for i in range(5000)])


@contextmanager
def serving(routes: dict[str, Route]) -> Iterator[Recorder]:
    """Start a Recorder in a thread; always shut it down."""
    server = Recorder(routes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def uvicorn_serving(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 (ephemeral port); yield its URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
