import secrets
from typing import Annotated

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Path

from .db import get_table, pk
from .projects import now
from .schemas import KeyIn, KeyOut, MemberUpdate, UserId
from .tenancy import Member, current_member, hash_key, require_admin

router = APIRouter(tags=["members"])

KeyHash = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]


@router.post("/keys/", response_model=KeyOut, status_code=201)
async def create_key(body: KeyIn, member: Member = Depends(current_member), table=Depends(get_table)):
    raw = "trk_" + secrets.token_urlsafe(32)
    digest = hash_key(raw)
    await table.put_item(
        Item={
            "PK": pk(member.tenant),
            "SK": f"APIKEY#{digest}",
            "user_id": member.user_id,
            "label": body.label,
            "role": body.role,
            "created_at": now(),
        },
        ConditionExpression="attribute_not_exists(SK)",
    )
    return KeyOut(key_id=digest, label=body.label, role=body.role, api_key=raw)


@router.delete("/keys/{key_hash}/", status_code=204)
async def revoke_key(key_hash: KeyHash, member: Member = Depends(current_member), table=Depends(get_table)):
    try:
        await table.update_item(
            Key={"PK": pk(member.tenant), "SK": f"APIKEY#{key_hash}"},
            UpdateExpression="SET revoked = :t, revoked_at = :now",
            ConditionExpression="attribute_exists(SK) AND user_id = :me",
            ExpressionAttributeValues={":t": True, ":now": now(), ":me": member.user_id},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="Key not found")
        raise


@router.put("/members/{user_id}/")
async def update_member(
    user_id: UserId,
    body: MemberUpdate,
    admin: Member = Depends(require_admin),
    table=Depends(get_table),
):
    resp = await table.update_item(
        Key={"PK": pk(admin.tenant), "SK": f"MEMBER#{body.user_id}"},
        UpdateExpression="SET display_name = :d, title = :t, updated_by = :by",
        ConditionExpression="attribute_exists(SK)",
        ExpressionAttributeValues={":d": body.display_name, ":t": body.title, ":by": admin.user_id},
        ReturnValues="ALL_NEW",
    )
    return {"user_id": user_id, "display_name": resp["Attributes"]["display_name"]}
