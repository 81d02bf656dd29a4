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


MEMBERS = Path(__file__).parent / "fixtures" / "DG103-generic-repo-members"


def test_a_membership_read_through_the_generic_repository_ties_the_project() -> None:
    # Given subclasses naming their key attributes (`hash_key`, `range_key`) and a class
    # dependency holding the caller, whose routes read the membership item (project,
    # caller) through the same Repository.get line as the task itself
    result = scan([MEMBERS], root=MEMBERS, config=Config(select=("DG103",)))
    # Then only the route that skips the membership read is reported
    routes = {(f.path, f.line, f.route) for f in result.findings}
    assert routes == {
        ("tracker/repository.py", 24, "GET /projects/{project_id}/tasks/{task_id}/peek")
    }
