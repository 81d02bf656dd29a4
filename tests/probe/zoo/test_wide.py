"""Given the 50-operation API, the prober's default budget (scaled to the spec) covers it.

With a fixed 600 requests the run stopped incomplete (it needs about 730); a user running
`dynaguard probe` with no --budget must get a complete run on an API of this size.
"""

from __future__ import annotations

from dynaguard.demo.embedded import EmbeddedDynamoDB
from dynaguard.probe.client import scaled_budget
from tests.probe.zoo.apps import wide
from tests.probe.zoo.conftest import probe_zoo


def test_the_default_budget_grows_with_the_api() -> None:
    assert scaled_budget(10) == 600
    assert scaled_budget(50) == 1000


async def test_a_50_operation_api_completes_with_the_default_budget(
    dynamodb_server: EmbeddedDynamoDB,
) -> None:
    # Given the wide API, no planted flaw; When probed --active with no budget given
    run = await probe_zoo(wide.make_app(None), admin=False)
    # Then the run completes, finds nothing and removes everything it created
    assert run.result.stats["complete"] is True, [e.message for e in run.result.errors]
    assert run.pairs == set()
    assert run.left_behind == set()
    requests = run.result.stats["requests"]
    assert isinstance(requests, int) and 600 < requests <= scaled_budget(50)
