"""Running a zoo app: its own logins, one in-process --active run, what it left behind."""

from __future__ import annotations

from dataclasses import dataclass

from dynaguard.core import Result
from dynaguard.probe import Limits, ProbeOptions, asgi_transport, parse_identity, run_async
from tests.probe.zoo.apps.common import Zoo

TARGET = "http://testserver"


@dataclass(frozen=True)
class Run:
    """One probe run of a zoo app and the evidence the tests check."""

    result: Result
    before: set[str]  # the app's stored objects before the run (users set up by the test)
    after: set[str]
    writes: list[tuple[str, str]]  # state-changing requests in the app's own log
    identities: tuple[str, ...]  # as given to the prober: "NAME[ROLE]=Header: value"

    @property
    def pairs(self) -> set[tuple[str, str | None]]:
        """The (rule, route) pairs the tests compare exactly."""
        return {(f.rule, f.route) for f in self.result.findings}

    @property
    def left_behind(self) -> set[str]:
        """Objects in the app's storage that the run created and did not remove."""
        return self.after - self.before


async def probe_zoo(
    zoo: Zoo, *, active: bool = True, admin: bool = True, budget: int | None = None
) -> Run:
    """Log in through the app's own endpoints, then probe it in-process."""
    idents = await zoo.identities(admin=admin)
    before = zoo.snapshot()
    try:
        result = await run_async(
            ProbeOptions(
                target=TARGET,
                spec=f"{TARGET}{zoo.spec}" if zoo.spec else None,
                identities=tuple(parse_identity(i) for i in idents),
                active=active,
                transport=asgi_transport(zoo.app),
                limits=Limits(budget=budget, timeout=5.0),
            )
        )
    finally:
        if zoo.close is not None:
            await zoo.close()
    return Run(
        result=result,
        before=before,
        after=zoo.snapshot(),
        writes=zoo.app.writes(),
        identities=idents,
    )
