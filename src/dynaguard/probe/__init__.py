"""The dynamic prober: black-box integrity probes of a running API (DG2xx).

    from dynaguard.probe import ProbeOptions, Limits, parse_identity, run
    result = run(ProbeOptions(target="http://127.0.0.1:8000",
                              identities=(parse_identity("alice=Authorization: Bearer a"),
                                          parse_identity("bob=Authorization: Bearer b")),
                              active=True))

`run_async` is the same inside an event loop (e.g. a pytest-asyncio test); pass
`transport=asgi_transport(app)` to probe an ASGI app in-process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx

from dynaguard.core.result import Result
from dynaguard.probe.client import Limits
from dynaguard.probe.errors import ProbeError
from dynaguard.probe.identities import Identity, parse_identities, parse_identity
from dynaguard.probe.runner import ProbeOptions, run_async

__all__ = [
    "Identity",
    "Limits",
    "ProbeError",
    "ProbeOptions",
    "asgi_transport",
    "parse_identities",
    "parse_identity",
    "run",
    "run_async",
]

# An ASGI application: `async def app(scope, receive, send)`.
ASGIApp = Callable[..., Awaitable[None]]


def asgi_transport(app: ASGIApp) -> httpx.AsyncBaseTransport:
    """An httpx transport that calls the ASGI app in this process (no socket)."""
    # A crashing app must look like a 500, as it would over a socket, not raise here.
    return httpx.ASGITransport(app=app, raise_app_exceptions=False)


def run(options: ProbeOptions) -> Result:
    """Probe the target (sync wrapper; use run_async inside a running event loop)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(run_async(options))
    raise ProbeError("dynaguard.probe.run called inside an event loop; await run_async instead")
