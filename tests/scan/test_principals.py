"""The ownership queries (issue 11): which apps have users, and which tables are per-user."""

from __future__ import annotations

import ast
from pathlib import Path

from dynaguard.core.config import Config
from dynaguard.scan.index import Project
from dynaguard.scan.queries.principals import Auth, principals
from dynaguard.scan.queries.tables import table_facts

FIXTURES = Path(__file__).parent / "fixtures"


def _project(*files: Path) -> Project:
    p = Project(Config())
    for f in files:
        p.add_module(f.stem, f.name, ast.parse(f.read_text(encoding="utf-8")))
    p.link()
    return p


def test_an_app_that_signs_tokens_but_verifies_none_has_unverified_users() -> None:
    p = _project(FIXTURES / "DG104-issued-tokens" / "app.py")
    users = principals(p)
    assert not users.verified
    assert users.unverified({"app:app"}) == "app:login signs tokens (jwt.encode)"


def test_cognito_sign_in_is_issuing() -> None:
    p = _project(FIXTURES / "DG104-cognito" / "app.py")
    found = principals(p).unverified({"app:app"})
    assert found == "app:sign_in signs users in with Cognito (initiate_auth)"


def test_users_are_decided_per_app() -> None:
    # Given one scan of an app with user ids in its paths and an internal app with none
    d = FIXTURES / "DG104-user-ids"
    p = _project(d / "bad.py", d / "internal.py")
    users = principals(p)
    auth = Auth(p)
    by_app = {r.function: users.unverified(auth.roots(r.router)) for r in p.routes}
    # Then only the first app's routes have (unverified) users
    assert by_app["internal:put_job"] is None
    assert by_app["bad:set_line"] is not None
    assert "takes the user id user_id from the request" in by_app["bad:set_line"]


def test_a_verifying_app_has_verified_users() -> None:
    p = _project(FIXTURES / "DG104-issued-tokens-verified" / "app.py")
    assert principals(p).verified


def test_owner_less_tables_are_shared() -> None:
    p = _project(FIXTURES / "DG103-false-positives" / "app.py")
    facts = table_facts(p)
    # orders carry account_id; products never get an owner: a catalogue
    assert "orders" in facts.per_user
    assert facts.shared("products")
    assert not facts.shared("orders")
    assert not facts.shared(None)
