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
import signal
from collections.abc import Awaitable, Callable

import httpx

from dynaguard.core.result import Result
from dynaguard.probe.client import Limits
from dynaguard.probe.errors import ProbeError, ProbeInterrupted
from dynaguard.probe.identities import Identity, parse_identities, parse_identity
from dynaguard.probe.runner import ProbeOptions, run_async

__all__ = [
    "Identity",
    "Limits",
    "ProbeError",
    "ProbeInterrupted",
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
    """Probe the target (sync wrapper; use run_async inside a running event loop).

    Ctrl-C or SIGTERM stops the run after its cleanup (objects deleted, profiles
    restored) and raises ProbeInterrupted saying what the cleanup did.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise ProbeError("dynaguard.probe.run called inside an event loop; await run_async instead")
    with asyncio.Runner() as runner:
        try:
            return runner.run(_cancellable(options))
        except (KeyboardInterrupt, asyncio.CancelledError) as exc:
            raise ProbeInterrupted(_cleanup_note(exc)) from None


async def _cancellable(options: ProbeOptions) -> Result:
    """run_async, with SIGTERM cancelling it as Ctrl-C does (asyncio handles SIGINT)."""
    loop, task = asyncio.get_running_loop(), asyncio.current_task()
    previous = signal.getsignal(signal.SIGTERM)
    try:
        loop.add_signal_handler(signal.SIGTERM, task.cancel if task else lambda: None)
        installed = True
    except (ValueError, RuntimeError, NotImplementedError):  # not the main thread, Windows
        installed = False
    try:
        return await run_async(options)
    finally:
        if installed:
            loop.remove_signal_handler(signal.SIGTERM)
            if previous is not None:
                # remove_signal_handler leaves SIG_DFL: give a caller's handler (the demo's) back.
                signal.signal(signal.SIGTERM, previous)


def _cleanup_note(exc: BaseException) -> str:
    """The cleanup summary run_async put in its CancelledError (KeyboardInterrupt wraps it)."""
    for e in (exc, exc.__context__):
        if isinstance(e, asyncio.CancelledError) and e.args:
            return str(e.args[0])
    return "no cleanup report (stopped before the probes began, or again during the cleanup)"
