"""Operator routes: superusers only (fastapi-users' is_superuser)."""
import uuid
from typing import List, Optional

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Query, status

from .db import TEAMS_TABLE, get_ddb
from .schemas import PlanIn, TeamRead
from .teams import _team_from_item
from .users import User, current_superuser

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get("/teams", response_model=List[TeamRead])
async def all_teams(
    cursor: Optional[str] = Query(None, max_length=64),
    _: User = Depends(current_superuser),
    client=Depends(get_ddb),
):
    kwargs = {"TableName": TEAMS_TABLE, "Limit": 100}
    if cursor:
        kwargs["ExclusiveStartKey"] = {"team_id": {"S": cursor}}
    resp = await client.scan(**kwargs)
    return [_team_from_item(t) for t in resp.get("Items", [])]


@router.put("/teams/{team_id}/plan", response_model=TeamRead)
async def set_plan(
    team_id: uuid.UUID,
    body: PlanIn,
    _: User = Depends(current_superuser),
    client=Depends(get_ddb),
):
    try:
        resp = await client.update_item(
            TableName=TEAMS_TABLE,
            Key={"team_id": {"S": str(team_id)}},
            UpdateExpression="SET #p = :plan, seat_limit = :seats ADD #v :one",
            ConditionExpression="attribute_exists(team_id)",
            ExpressionAttributeNames={"#p": "plan", "#v": "version"},
            ExpressionAttributeValues={
                ":plan": {"S": body.plan},
                ":seats": {"N": str(body.seat_limit)},
                ":one": {"N": "1"},
            },
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_404_NOT_FOUND, "team not found")
        raise
    return _team_from_item(resp["Attributes"])


@router.delete("/teams/{team_id}", status_code=204)
async def delete_team(
    team_id: uuid.UUID, _: User = Depends(current_superuser), client=Depends(get_ddb)
):
    """Memberships and invites of the team are removed by the stream consumer."""
    try:
        await client.delete_item(
            TableName=TEAMS_TABLE,
            Key={"team_id": {"S": str(team_id)}},
            ConditionExpression="attribute_exists(team_id)",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_404_NOT_FOUND, "team not found")
        raise
