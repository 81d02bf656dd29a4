"""A generic repository's one DynamoDB line serves every subclass: findings on it are
judged per route, by the table of the object that route called (fixture
DG103-generic-repo, whose line marks cannot say which route)."""

from __future__ import annotations

from pathlib import Path

from dynaguard.core.config import Config
from dynaguard.scan import scan

FIXTURE = Path(__file__).parent / "fixtures" / "DG103-generic-repo"


def test_the_catalogue_route_is_not_reported_on_the_shared_line() -> None:
    # Given products (a catalogue) and orders (written with their owner) read through
    # the same Repository.get, reached by way of Repository.load on `self`
    result = scan([FIXTURE], root=FIXTURE, config=Config(select=("DG103",)))
    # Then only the orders route is a missing ownership check, on the orders table
    routes = {(f.path, f.line, f.route) for f in result.findings}
    assert routes == {("shop/db.py", 18, "GET /orders/{order_id}")}
    (finding,) = result.findings
    assert finding.evidence["per_user_table"] is True
