from datetime import datetime, timezone
from typing import Any
from uuid import UUID, uuid4

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Security

from .auth import Principal, get_principal
from .db import from_ddb, get_client, to_ddb
from .models import CommentIn
from .settings import Settings, get_settings

router = APIRouter(tags=["comments"])


@router.post("/tickets/{ticket_id}/comments/", status_code=201)
async def add_comment(
    ticket_id: UUID,
    body: CommentIn,
    user: Principal = Security(get_principal, scopes=["tickets:write"]),
    client: Any = Depends(get_client),
    settings: Settings = Depends(get_settings),
):
    key = to_ddb({"tenant_id": user.tenant_id, "ticket_id": str(ticket_id)})
    ticket = await client.get_item(TableName=settings.tickets_table, Key=key)
    if "Item" not in ticket:
        raise HTTPException(status_code=404, detail="ticket not found")
    comment = {
        "ticket_id": str(ticket_id),
        "comment_id": str(uuid4()),
        "author_sub": user.sub,
        "text": body.text,
        "internal": body.internal,
        "created_at": datetime.now(timezone.utc).isoformat(),
    }
    await client.put_item(TableName=settings.comments_table, Item=to_ddb(comment))
    await client.update_item(
        TableName=settings.tickets_table,
        Key=key,
        UpdateExpression="ADD comment_count :one",
        ConditionExpression="attribute_exists(ticket_id)",
        ExpressionAttributeValues=to_ddb({":one": 1}),
    )
    return {"comment_id": comment["comment_id"]}


@router.get("/tickets/{ticket_id}/comments/")
async def list_comments(
    ticket_id: str,
    user: Principal = Security(get_principal, scopes=["tickets:read"]),
    client: Any = Depends(get_client),
    settings: Settings = Depends(get_settings),
):
    resp = await client.query(
        TableName=settings.comments_table,
        KeyConditionExpression="ticket_id = :t",
        ExpressionAttributeValues=to_ddb({":t": ticket_id}),
    )
    return [from_ddb(i) for i in resp.get("Items", [])]


@router.delete("/tickets/{ticket_id}/comments/{comment_id}", status_code=204)
async def delete_comment(
    ticket_id: UUID,
    comment_id: UUID,
    user: Principal = Security(get_principal, scopes=["tickets:write"]),
    client: Any = Depends(get_client),
    settings: Settings = Depends(get_settings),
):
    try:
        await client.delete_item(
            TableName=settings.comments_table,
            Key=to_ddb({"ticket_id": str(ticket_id), "comment_id": str(comment_id)}),
            ConditionExpression="author_sub = :me",
            ExpressionAttributeValues=to_ddb({":me": user.sub}),
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="comment not found")
        raise
