"""Given an account id that only the registration answer tells, when probing, then it is used.

The run registers a throwaway account only where it can close it again; here the only
way is `DELETE /users/{user_id}`, and the id is server-chosen, so it must come from the
registration answer (or the login answer) -- RESTler's producer -> consumer idea applied
to identities.
"""

from __future__ import annotations

import pytest

from dynaguard.demo.embedded import EmbeddedDynamoDB
from tests.probe.zoo.apps import userids
from tests.probe.zoo.conftest import probe_zoo


@pytest.mark.parametrize(
    ("bug", "expected"), [(None, set()), ("register_admin", {("DG204", "POST /register")})]
)
async def test_a_registration_answer_names_the_account_it_made(
    dynamodb_server: EmbeddedDynamoDB, bug: str | None, expected: set[tuple[str, str]]
) -> None:
    # Given accounts closed only by DELETE /users/{user_id}, the id told by the sign-up answer
    zoo = userids.make_app(bug)
    run = await probe_zoo(zoo, admin=False)
    # Then the run registers (it can close the account again), proves the plant, and
    # closes the account by the id the answer gave.
    assert run.pairs == expected
    assert run.left_behind == set()
    assert run.result.errors == ()
    assert [p for m, p in zoo.app.entries if m == "DELETE" and p.startswith("/users/")]
