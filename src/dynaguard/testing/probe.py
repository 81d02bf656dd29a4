"""Probe an ASGI app from a pytest test: `dynaguard_probe(app, identities=..., fail_on=...)`.

    def test_no_integrity_failures(dynaguard_probe):
        dynaguard_probe(app, identities={"alice": {"Authorization": "Bearer a"},
                                         "bob": {"Authorization": "Bearer b"}})

The app is probed in this process through httpx's ASGI transport (no server, no socket),
with state-changing probes on by default (`active=True`): they touch only objects the run
creates, and each identity's own profile, restored at the end. The test fails with a
readable summary when a finding is at or above `fail_on`, or when the run could not
complete (an identity refused, the budget spent): a gate never passes on half a run.
Inside an `async def` test, await `dynaguard_probe_async` instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from dynaguard.core.findings import Severity
from dynaguard.core.result import Result

if TYPE_CHECKING:
    from dynaguard.probe import Identity

# What `identities=` takes: {"alice": {"Authorization": "Bearer ..."}}, or the CLI's
# "alice=Authorization: Bearer ..." strings, or dynaguard.probe.Identity objects.
Identities = Mapping[str, Mapping[str, str]] | Iterable[object]
ASGIApp = Callable[..., Awaitable[None]]

__all__ = ["dynaguard_probe", "dynaguard_probe_async", "summary"]


async def dynaguard_probe_async(
    app: ASGIApp,
    *,
    identities: Identities,
    fail_on: str | Severity | None = "medium",
    active: bool = True,
    exclude_paths: Iterable[str] = (),
    select: Iterable[str] = (),
    budget: int = 600,
) -> Result:
    """Probe `app` in-process; pytest.fail with a summary at or above `fail_on`, else the result."""
    from dynaguard.probe import Limits, ProbeError, ProbeOptions, asgi_transport, run_async

    try:
        options = ProbeOptions(
            target="http://testserver",
            identities=_identities(identities),
            active=active,
            exclude_paths=tuple(exclude_paths),
            select=tuple(select),
            limits=Limits(budget=budget),
            transport=asgi_transport(app),
        )
        result = await run_async(options)
    except ProbeError as exc:
        pytest.fail(f"dynaguard_probe: {exc}", pytrace=False)
    threshold = _threshold(fail_on)
    failing = threshold is not None and result.fails(threshold)
    if failing or result.stats.get("complete") is False:
        pytest.fail(summary(result, threshold), pytrace=False)
    return result


def dynaguard_probe(
    app: ASGIApp,
    *,
    identities: Identities,
    fail_on: str | Severity | None = "medium",
    active: bool = True,
    exclude_paths: Iterable[str] = (),
    select: Iterable[str] = (),
    budget: int = 600,
) -> Result:
    """The same from a plain (sync) test: runs its own event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        pytest.fail("dynaguard_probe: inside an event loop, await dynaguard_probe_async")
    return asyncio.run(
        dynaguard_probe_async(
            app,
            identities=identities,
            fail_on=fail_on,
            active=active,
            exclude_paths=exclude_paths,
            select=select,
            budget=budget,
        )
    )


def summary(result: Result, threshold: Severity | None) -> str:
    """The findings at or above `threshold` as the text report, with a first line to scan."""
    from dynaguard.report import render

    shown = tuple(f for f in result.findings if threshold is None or f.severity >= threshold)
    head = f"dynaguard_probe: {len(shown)} finding(s)"
    if threshold is not None:
        head += f" at or above {threshold.value}"
    if result.stats.get("complete") is False:
        head += "; the run did not complete"
    lines = [head + ":", ""]
    lines += [f"  {f.rule} {f.name} on {f.route or '?'}: {f.message}" for f in shown]
    lines += ["", render(replace(result, findings=shown), "text")]
    return "\n".join(lines)


def _identities(given: Identities) -> tuple[Identity, ...]:
    from dynaguard.probe import Identity, parse_identity

    if isinstance(given, Mapping):
        return tuple(Identity(str(name), dict(headers)) for name, headers in given.items())
    out: list[Identity] = []
    for item in given:
        out.append(item if isinstance(item, Identity) else parse_identity(str(item)))
    return tuple(out)


def _threshold(fail_on: str | Severity | None) -> Severity | None:
    if fail_on is None or isinstance(fail_on, Severity):
        return fail_on
    if fail_on.strip().lower() == "none":
        return None
    return Severity.parse(fail_on)


@pytest.fixture(name="dynaguard_probe")
def dynaguard_probe_fixture() -> Callable[..., Result]:
    """`dynaguard_probe(app, identities=..., fail_on="medium")` as a fixture."""
    return dynaguard_probe


@pytest.fixture(name="dynaguard_probe_async")
def dynaguard_probe_async_fixture() -> Callable[..., Awaitable[Result]]:
    """`await dynaguard_probe_async(app, identities=...)` as a fixture."""
    return dynaguard_probe_async
