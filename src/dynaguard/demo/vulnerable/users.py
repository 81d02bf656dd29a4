"""/users/me routes of the vulnerable app."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from dynaguard.demo.auth import CurrentUser
from dynaguard.demo.vulnerable.db import users
from dynaguard.demo.vulnerable.models import ProfileReplace, ProfileUpdate

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me")
def read_profile(user: CurrentUser) -> Any:
    """The caller's profile."""
    resp = users.get_item(Key={"username": user})
    if "Item" not in resp:
        raise HTTPException(404, "profile not found")
    # PLANT internal fields in responses: the raw item, password_reset_token and
    # internal_risk_score included, no response model. Probe: DG209.
    return resp["Item"]  # expect: DG115


@router.put("/me")
def replace_profile(body: ProfileReplace, user: CurrentUser) -> dict[str, Any]:
    """Replace the editable part of the caller's profile."""
    item = users.get_item(Key={"username": user}).get("Item")
    if item is None:
        raise HTTPException(404, "profile not found")
    item.update(body.model_dump())
    item["version"] = int(str(item.get("version", 0))) + 1
    # PLANT lost update: read-modify-write, then an unconditional put of the whole
    # item; a concurrent change made since the read is silently overwritten. Probe: DG205.
    users.put_item(Item=item)  # expect: DG101
    return {"username": user, "version": item["version"]}


@router.patch("/me")
def update_profile(body: ProfileUpdate, user: CurrentUser) -> dict[str, str]:
    """Change some fields of the caller's profile."""
    changes = body.model_dump(exclude_none=True)
    if not changes:
        raise HTTPException(422, "nothing to change")
    names = {f"#f{i}": field for i, field in enumerate(changes)}
    values = {f":v{i}": value for i, value in enumerate(changes.values())}
    expression = "SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(changes)))
    # PLANT mass assignment: ProfileUpdate exposes `role`, and every field the client
    # sent is written -- a member makes themself admin. Probe: DG204.
    users.update_item(  # expect: DG105
        Key={"username": user},
        UpdateExpression=expression,
        ConditionExpression="attribute_exists(username)",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )
    return {"username": user, "updated": ", ".join(sorted(changes))}
