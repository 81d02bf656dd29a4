import time
import uuid

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from .deps import TABLE, current_user, get_client, get_table

router = APIRouter(prefix="/rooms")


class RoomIn(BaseModel):
    name: str = Field(max_length=80)


class MessageIn(BaseModel):
    text: str = Field(max_length=4000)


@router.post("", status_code=201)
async def create_room(body: RoomIn, user: dict = Depends(current_user), client=Depends(get_client)):
    room_id = uuid.uuid4().hex
    await client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {"pk": {"S": f"ROOM#{room_id}"}, "sk": {"S": "META"}, "name": {"S": body.name}},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Put": {"TableName": TABLE, "Item": {"pk": {"S": f"ROOM#{room_id}"}, "sk": {"S": f"MEMBER#{user['user_id']}"}}}},
        ]
    )
    return {"room_id": room_id}


@router.post("/{room_id}/join")
async def join(room_id: str, user: dict = Depends(current_user), table=Depends(get_table)):
    await table.put_item(Item={"pk": f"ROOM#{room_id}", "sk": f"MEMBER#{user['user_id']}", "joined": int(time.time())})
    await table.update_item(
        Key={"pk": f"ROOM#{room_id}", "sk": "META"},
        UpdateExpression="ADD member_count :one",
        ExpressionAttributeValues={":one": 1},
    )
    return {"joined": room_id}


@router.post("/{room_id}/messages", status_code=201)
async def post_message(room_id: str, body: MessageIn, user: dict = Depends(current_user), table=Depends(get_table)):
    member = await table.get_item(Key={"pk": f"ROOM#{room_id}", "sk": f"MEMBER#{user['user_id']}"})
    if "Item" not in member:
        raise HTTPException(403, "not a member")
    await table.put_item(
        Item={"pk": f"ROOM#{room_id}", "sk": f"MSG#{time.time_ns()}", "author": user["user_id"], "text": body.text},
        ConditionExpression="attribute_not_exists(sk)",
    )
    return {"ok": True}


@router.get("/{room_id}/messages")
async def read_messages(room_id: str, user: dict = Depends(current_user), table=Depends(get_table)):
    resp = await table.query(
        KeyConditionExpression="pk = :pk AND begins_with(sk, :msg)",
        ExpressionAttributeValues={":pk": f"ROOM#{room_id}", ":msg": "MSG#"},
        ScanIndexForward=False,
        Limit=50,
    )
    return resp["Items"]


@router.delete("/{room_id}")
async def delete_room(room_id: str, user: dict = Depends(current_user), client=Depends(get_client)):
    try:
        await client.transact_write_items(
            TransactItems=[
                {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": f"ROOM#{room_id}"}, "sk": {"S": "META"}},
                            "ConditionExpression": "created_by = :me",
                            "ExpressionAttributeValues": {":me": {"S": user["user_id"]}}}},
            ]
        )
    except ClientError as exc:
        raise HTTPException(409, str(exc))
    return {"deleted": room_id}
