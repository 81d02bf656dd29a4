"""Teams, memberships and invitations on the low-level DynamoDB client."""
import secrets
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Path, Query, status

from .db import INVITES_TABLE, MEMBERSHIPS_TABLE, TEAMS_TABLE, get_ddb
from .schemas import (
    InviteCreate,
    InviteRead,
    MemberRoleIn,
    OwnershipTransferIn,
    TeamCreate,
    TeamPublic,
    TeamRead,
    TeamUpdate,
)
from .users import User, current_active_user

router = APIRouter(tags=["teams"])

InviteToken = Path(..., min_length=32, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _team_from_item(item: Dict[str, Any]) -> TeamRead:
    return TeamRead(
        team_id=item["team_id"]["S"],
        name=item["name"]["S"],
        description=item.get("description", {"S": ""})["S"],
        visibility=item["visibility"]["S"],
        owner_id=item["owner_id"]["S"],
        plan=item["plan"]["S"],
        seat_limit=int(item["seat_limit"]["N"]),
        member_count=int(item["member_count"]["N"]),
        status=item["status"]["S"],
        version=int(item["version"]["N"]),
        created_at=item["created_at"]["S"],
    )


async def membership_role(client, team_id: uuid.UUID, user: User) -> str | None:
    resp = await client.get_item(
        TableName=MEMBERSHIPS_TABLE,
        Key={"team_id": {"S": str(team_id)}, "user_id": {"S": str(user.id)}},
    )
    item = resp.get("Item")
    return item["role"]["S"] if item else None


async def require_team_admin(client, team_id: uuid.UUID, user: User) -> None:
    role = await membership_role(client, team_id, user)
    if role not in ("owner", "admin"):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "team not found")


@router.post("/teams", response_model=TeamRead, status_code=201)
async def create_team(
    body: TeamCreate, user: User = Depends(current_active_user), client=Depends(get_ddb)
):
    team_id = str(uuid.uuid4())
    now = _now().isoformat()
    item = {
        "team_id": {"S": team_id},
        "name": {"S": body.name},
        "description": {"S": body.description},
        "visibility": {"S": body.visibility},
        "owner_id": {"S": str(user.id)},
        "plan": {"S": "free"},
        "seat_limit": {"N": "5"},
        "member_count": {"N": "1"},
        "status": {"S": "active"},
        "version": {"N": "1"},
        "created_at": {"S": now},
    }
    await client.put_item(
        TableName=TEAMS_TABLE, Item=item, ConditionExpression="attribute_not_exists(team_id)"
    )
    await client.put_item(
        TableName=MEMBERSHIPS_TABLE,
        Item={
            "team_id": {"S": team_id},
            "user_id": {"S": str(user.id)},
            "role": {"S": "owner"},
            "joined_at": {"S": now},
        },
    )
    return _team_from_item(item)


@router.get("/teams", response_model=List[TeamRead])
async def my_teams(user: User = Depends(current_active_user), client=Depends(get_ddb)):
    resp = await client.query(
        TableName=MEMBERSHIPS_TABLE,
        IndexName="user_id-index",
        KeyConditionExpression="user_id = :me",
        ExpressionAttributeValues={":me": {"S": str(user.id)}},
    )
    keys = [{"team_id": m["team_id"]} for m in resp.get("Items", [])][:100]
    if not keys:
        return []
    got = await client.batch_get_item(RequestItems={TEAMS_TABLE: {"Keys": keys}})
    return [_team_from_item(t) for t in got["Responses"].get(TEAMS_TABLE, [])]


@router.get("/teams/directory", response_model=List[TeamPublic])
async def team_directory(
    q: str = Query(..., min_length=2, max_length=40),
    field: str = Query("name", max_length=32),
    user: User = Depends(current_active_user),
    client=Depends(get_ddb),
):
    resp = await client.scan(
        TableName=TEAMS_TABLE,
        FilterExpression=f"#vis = :public AND contains(#{field}, :q)",
        ExpressionAttributeNames={"#vis": "visibility", f"#{field}": field},
        ExpressionAttributeValues={":public": {"S": "public"}, ":q": {"S": q}},
        Limit=200,
    )
    return [
        TeamPublic(
            team_id=t["team_id"]["S"],
            name=t["name"]["S"],
            description=t.get("description", {"S": ""})["S"],
            member_count=int(t["member_count"]["N"]),
        )
        for t in resp.get("Items", [])
    ]


@router.get("/teams/{team_id}", response_model=TeamRead)
async def get_team(
    team_id: uuid.UUID, user: User = Depends(current_active_user), client=Depends(get_ddb)
):
    if await membership_role(client, team_id, user) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "team not found")
    resp = await client.get_item(TableName=TEAMS_TABLE, Key={"team_id": {"S": str(team_id)}})
    if "Item" not in resp:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "team not found")
    return _team_from_item(resp["Item"])


@router.patch("/teams/{team_id}", response_model=TeamRead)
async def update_team(
    team_id: uuid.UUID,
    body: TeamUpdate,
    user: User = Depends(current_active_user),
    client=Depends(get_ddb),
):
    await require_team_admin(client, team_id, user)
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    names = {"#v": "version"}
    values = {":v": {"N": str(body.version)}, ":one": {"N": "1"}}
    sets = ["#v = #v + :one"]
    for key, value in changes.items():
        names[f"#{key}"] = key
        values[f":{key}"] = {"S": value}
        sets.append(f"#{key} = :{key}")
    try:
        resp = await client.update_item(
            TableName=TEAMS_TABLE,
            Key={"team_id": {"S": str(team_id)}},
            UpdateExpression="SET " + ", ".join(sets),
            ConditionExpression="#v = :v",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_409_CONFLICT, "team was changed, reload it")
        raise
    return _team_from_item(resp["Attributes"])


@router.post("/teams/{team_id}/archive", status_code=204)
async def archive_team(
    team_id: uuid.UUID, user: User = Depends(current_active_user), client=Depends(get_ddb)
):
    try:
        await client.update_item(
            TableName=TEAMS_TABLE,
            Key={"team_id": {"S": str(team_id)}},
            UpdateExpression="SET #st = :archived",
            ConditionExpression="owner_id = :me AND #st = :active",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={
                ":me": {"S": str(user.id)},
                ":active": {"S": "active"},
                ":archived": {"S": "archived"},
            },
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_409_CONFLICT, "not an active team you own")
        raise


@router.get("/teams/{team_id}/members")
async def list_members(
    team_id: uuid.UUID, user: User = Depends(current_active_user), client=Depends(get_ddb)
):
    resp = await client.query(
        TableName=MEMBERSHIPS_TABLE,
        KeyConditionExpression="team_id = :t",
        ExpressionAttributeValues={":t": {"S": str(team_id)}},
    )
    return {"items": resp.get("Items", []), "count": resp.get("Count", 0)}


@router.put("/teams/{team_id}/members/{user_id}/role", status_code=204)
async def change_role(
    team_id: uuid.UUID,
    user_id: uuid.UUID,
    body: MemberRoleIn,
    user: User = Depends(current_active_user),
    client=Depends(get_ddb),
):
    await require_team_admin(client, team_id, user)
    try:
        await client.update_item(
            TableName=MEMBERSHIPS_TABLE,
            Key={"team_id": {"S": str(team_id)}, "user_id": {"S": str(body.user_id)}},
            UpdateExpression="SET #r = :role",
            ConditionExpression="attribute_exists(user_id) AND #r <> :owner",
            ExpressionAttributeNames={"#r": "role"},
            ExpressionAttributeValues={":role": {"S": body.role}, ":owner": {"S": "owner"}},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_409_CONFLICT, "not a member, or the owner")
        raise


@router.delete("/teams/{team_id}/members/{user_id}", status_code=204)
async def remove_member(
    team_id: uuid.UUID,
    user_id: str,
    user: User = Depends(current_active_user),
    client=Depends(get_ddb),
):
    await require_team_admin(client, team_id, user)
    await client.delete_item(
        TableName=MEMBERSHIPS_TABLE,
        Key={"team_id": {"S": str(team_id)}, "user_id": {"S": user_id}},
    )
    await client.update_item(
        TableName=TEAMS_TABLE,
        Key={"team_id": {"S": str(team_id)}},
        UpdateExpression="ADD member_count :minus",
        ConditionExpression="attribute_exists(team_id)",
        ExpressionAttributeValues={":minus": {"N": "-1"}},
    )


@router.post("/teams/{team_id}/leave", status_code=204)
async def leave_team(
    team_id: uuid.UUID, user: User = Depends(current_active_user), client=Depends(get_ddb)
):
    try:
        await client.transact_write_items(
            TransactItems=[
                {
                    "Delete": {
                        "TableName": MEMBERSHIPS_TABLE,
                        "Key": {"team_id": {"S": str(team_id)}, "user_id": {"S": str(user.id)}},
                        "ConditionExpression": "attribute_exists(user_id) AND #r <> :owner",
                        "ExpressionAttributeNames": {"#r": "role"},
                        "ExpressionAttributeValues": {":owner": {"S": "owner"}},
                    }
                },
                {
                    "Update": {
                        "TableName": TEAMS_TABLE,
                        "Key": {"team_id": {"S": str(team_id)}},
                        "UpdateExpression": "ADD member_count :minus",
                        "ConditionExpression": "attribute_exists(team_id)",
                        "ExpressionAttributeValues": {":minus": {"N": "-1"}},
                    }
                },
            ]
        )
    except client.exceptions.TransactionCanceledException:
        raise HTTPException(status.HTTP_409_CONFLICT, "not a member, or the owner")


@router.post("/teams/{team_id}/transfer-ownership", status_code=204)
async def transfer_ownership(
    team_id: uuid.UUID,
    body: OwnershipTransferIn,
    user: User = Depends(current_active_user),
    client=Depends(get_ddb),
):
    tid = {"S": str(team_id)}
    await client.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": TEAMS_TABLE,
                    "Key": {"team_id": tid},
                    "UpdateExpression": "SET owner_id = :new",
                    "ConditionExpression": "owner_id = :me",
                    "ExpressionAttributeValues": {
                        ":new": {"S": str(body.new_owner_id)},
                        ":me": {"S": str(user.id)},
                    },
                }
            },
            {
                "Update": {
                    "TableName": MEMBERSHIPS_TABLE,
                    "Key": {"team_id": tid, "user_id": {"S": str(body.new_owner_id)}},
                    "UpdateExpression": "SET #r = :owner",
                    "ExpressionAttributeNames": {"#r": "role"},
                    "ExpressionAttributeValues": {":owner": {"S": "owner"}},
                }
            },
            {
                "Update": {
                    "TableName": MEMBERSHIPS_TABLE,
                    "Key": {"team_id": tid, "user_id": {"S": str(user.id)}},
                    "UpdateExpression": "SET #r = :admin",
                    "ConditionExpression": "#r = :owner",
                    "ExpressionAttributeNames": {"#r": "role"},
                    "ExpressionAttributeValues": {":admin": {"S": "admin"}, ":owner": {"S": "owner"}},
                }
            },
        ]
    )


@router.post("/teams/{team_id}/invites", response_model=InviteRead, status_code=201)
async def create_invite(
    team_id: uuid.UUID,
    body: InviteCreate,
    user: User = Depends(current_active_user),
    client=Depends(get_ddb),
):
    await require_team_admin(client, team_id, user)
    invite = InviteRead(
        token=secrets.token_urlsafe(32),
        team_id=team_id,
        email=body.email.lower(),
        role=body.role,
        status="pending",
        expires_at=_now() + timedelta(days=7),
    )
    await client.put_item(
        TableName=INVITES_TABLE,
        Item={
            "token": {"S": invite.token},
            "team_id": {"S": str(team_id)},
            "email": {"S": invite.email},
            "role": {"S": invite.role},
            "status": {"S": "pending"},
            "invited_by": {"S": str(user.id)},
            "expires_at": {"S": invite.expires_at.isoformat()},
        },
        ConditionExpression="attribute_not_exists(#t)",
        ExpressionAttributeNames={"#t": "token"},
    )
    return invite


@router.post("/teams/{team_id}/invites/{token}/revoke", status_code=204)
async def revoke_invite(team_id: uuid.UUID, token: str = InviteToken, client=Depends(get_ddb)):
    try:
        await client.update_item(
            TableName=INVITES_TABLE,
            Key={"token": {"S": token}},
            UpdateExpression="SET #s = :revoked",
            ConditionExpression="#s = :pending AND team_id = :team",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":revoked": {"S": "revoked"},
                ":pending": {"S": "pending"},
                ":team": {"S": str(team_id)},
            },
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no pending invite")
        raise


@router.post("/invites/{token}/accept", status_code=204)
async def accept_invite(
    token: str = InviteToken, user: User = Depends(current_active_user), client=Depends(get_ddb)
):
    resp = await client.get_item(TableName=INVITES_TABLE, Key={"token": {"S": token}})
    invite = resp.get("Item")
    if invite is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "invite not found")
    team = invite["team_id"]
    now = _now().isoformat()
    try:
        await client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": INVITES_TABLE,
                        "Key": {"token": {"S": token}},
                        "UpdateExpression": "SET #s = :accepted, accepted_by = :me",
                        "ConditionExpression": "#s = :pending AND email = :email AND expires_at > :now",
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {
                            ":accepted": {"S": "accepted"},
                            ":pending": {"S": "pending"},
                            ":me": {"S": str(user.id)},
                            ":email": {"S": user.email.lower()},
                            ":now": {"S": now},
                        },
                    }
                },
                {
                    "Put": {
                        "TableName": MEMBERSHIPS_TABLE,
                        "Item": {
                            "team_id": team,
                            "user_id": {"S": str(user.id)},
                            "role": invite["role"],
                            "joined_at": {"S": now},
                        },
                        "ConditionExpression": "attribute_not_exists(user_id)",
                    }
                },
                {
                    "Update": {
                        "TableName": TEAMS_TABLE,
                        "Key": {"team_id": team},
                        "UpdateExpression": "ADD member_count :one",
                        "ConditionExpression": "#st = :active AND member_count < seat_limit",
                        "ExpressionAttributeNames": {"#st": "status"},
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":active": {"S": "active"}},
                    }
                },
            ]
        )
    except client.exceptions.TransactionCanceledException:
        raise HTTPException(status.HTTP_409_CONFLICT, "invite expired, used, or team full")
