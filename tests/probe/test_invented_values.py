"""Given a role the API neither declares nor shows, when probing, then DG204 never writes it.

An invented privilege value (`role: "admin"`) is how an earlier prober broke an account
for good; only values the spec declares or the API shows may be written.
"""

# No `from __future__ import annotations`: FastAPI evaluates the route annotations.

from typing import Annotated, Any

from fastapi import Depends, FastAPI
from pydantic import BaseModel

from dynaguard.demo.embedded import EmbeddedDynamoDB
from tests.probe.zoo.apps.common import RequestLog, Zoo, dynamo_table, scan_keys, table_name
from tests.probe.zoo.apps.safety import _accounts, _login
from tests.probe.zoo.conftest import probe_zoo


class ProfilePatch(BaseModel):
    display_name: str | None = None
    role: str | None = None  # any string: no enum, so nothing declares a privileged value


def undeclared_role() -> Zoo:
    """Every user is a `member`; PATCH /users/me writes whatever role it is sent (and logs it)."""
    users = dynamo_table(table_name("role-users"), "username")
    api = FastAPI(title="undeclared role")
    Me = Annotated[dict[str, Any], Depends(_accounts(api, users))]
    sent: list[object] = []

    @api.get("/users/me")
    def me(user: Me) -> dict[str, Any]:
        return {k: user.get(k, "") for k in ("username", "role", "display_name")}

    @api.patch("/users/me")
    def patch_me(body: ProfilePatch, user: Me) -> dict[str, Any]:
        changes = body.model_dump(exclude_none=True)
        if "role" in changes:
            sent.append(changes["role"])
        users.put_item(Item={**user, **changes})
        return {"username": user["username"], **changes}

    app = RequestLog(api)
    return Zoo(
        app=app,
        snapshot=lambda: {f"user:{k}" for k in scan_keys(users, "username")},
        login=_login,
        state={"roles_sent": sent},
    )


async def test_a_role_with_no_declared_or_observed_value_is_never_written(
    dynamodb_server: EmbeddedDynamoDB,
) -> None:
    zoo = undeclared_role()
    run = await probe_zoo(zoo, admin=False)
    # The profile was exercised (PATCH sent), yet no role but its own was ever written
    # (an update may send the profile back as it read it).
    assert ("PATCH", "/users/me") in zoo.app.entries
    assert set(zoo.state["roles_sent"]) <= {"member"}, zoo.state["roles_sent"]
    assert ("DG204", "PATCH /users/me") not in run.pairs
