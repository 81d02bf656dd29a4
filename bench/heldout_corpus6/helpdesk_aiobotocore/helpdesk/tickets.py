"""Ticket views, grouped in one class-based view (fastapi-restful's @cbv)."""
import base64
import json
from datetime import datetime, timezone
from typing import Any
from uuid import UUID, uuid4

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Query, Security
from fastapi_restful.cbv import cbv

from .audit import record_event
from .auth import Principal, get_principal
from .db import from_ddb, get_client, to_ddb
from .models import AssignIn, TicketIn, TicketOut, TicketPage, TicketPatch
from .settings import Settings, get_settings

router = APIRouter(prefix="/tickets", tags=["tickets"])


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def _encode_cursor(key: dict | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _decode_cursor(cursor: str) -> dict:
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        raise HTTPException(status_code=400, detail="bad cursor")


@cbv(router)
class TicketViews:
    client: Any = Depends(get_client)
    settings: Settings = Depends(get_settings)
    user: Principal = Security(get_principal, scopes=["tickets:read"])

    def _key(self, ticket_id: UUID) -> dict:
        return to_ddb({"tenant_id": self.user.tenant_id, "ticket_id": str(ticket_id)})

    @router.get("/", response_model=TicketPage)
    async def list_tickets(self, cursor: str | None = Query(None, max_length=2048), limit: int = Query(25, le=100)):
        kwargs: dict[str, Any] = {
            "TableName": self.settings.tickets_table,
            "KeyConditionExpression": "tenant_id = :t",
            "FilterExpression": "attribute_not_exists(deleted_at)",
            "ExpressionAttributeValues": to_ddb({":t": self.user.tenant_id}),
            "Limit": limit,
        }
        if cursor:
            kwargs["ExclusiveStartKey"] = _decode_cursor(cursor)
        resp = await self.client.query(**kwargs)
        items = [TicketOut(**from_ddb(i)) for i in resp.get("Items", [])]
        return TicketPage(items=items, cursor=_encode_cursor(resp.get("LastEvaluatedKey")))

    @router.post("/", response_model=TicketOut, status_code=201,
                 dependencies=[Security(get_principal, scopes=["tickets:write"])])
    async def open_ticket(self, body: TicketIn):
        item = {
            "tenant_id": self.user.tenant_id,
            "ticket_id": str(uuid4()),
            "title": body.title,
            "description": body.description,
            "priority": body.priority,
            "status": "open",
            "opened_by": self.user.sub,
            "comment_count": 0,
            "version": 1,
            "created_at": _now(),
        }
        await self.client.put_item(
            TableName=self.settings.tickets_table,
            Item=to_ddb(item),
            ConditionExpression="attribute_not_exists(ticket_id)",
        )
        return TicketOut(**item)

    @router.get("/{ticket_id}", response_model=TicketOut)
    async def get_ticket(self, ticket_id: UUID):
        resp = await self.client.get_item(TableName=self.settings.tickets_table, Key=self._key(ticket_id))
        if "Item" not in resp:
            raise HTTPException(status_code=404, detail="ticket not found")
        return from_ddb(resp["Item"])

    @router.patch("/{ticket_id}", response_model=TicketOut,
                  dependencies=[Security(get_principal, scopes=["tickets:write"])])
    async def edit_ticket(self, ticket_id: UUID, body: TicketPatch):
        resp = await self.client.get_item(TableName=self.settings.tickets_table, Key=self._key(ticket_id))
        if "Item" not in resp:
            raise HTTPException(status_code=404, detail="ticket not found")
        current = from_ddb(resp["Item"])
        if current["version"] != body.version:
            raise HTTPException(status_code=409, detail="ticket was changed by someone else")
        changes = body.model_dump(exclude_unset=True, exclude={"version"})
        sets = [f"#{k} = :{k}" for k in changes] + ["#v = #v + :one"]
        values = {f":{k}": v for k, v in changes.items()}
        values[":one"] = 1
        resp = await self.client.update_item(
            TableName=self.settings.tickets_table,
            Key=self._key(ticket_id),
            UpdateExpression="SET " + ", ".join(sets),
            ConditionExpression="attribute_exists(ticket_id)",
            ExpressionAttributeNames={**{f"#{k}": k for k in changes}, "#v": "version"},
            ExpressionAttributeValues=to_ddb(values),
            ReturnValues="ALL_NEW",
        )
        return from_ddb(resp["Attributes"])

    @router.post("/{ticket_id}/close", response_model=TicketOut,
                 dependencies=[Security(get_principal, scopes=["tickets:write"])])
    async def close_ticket(self, ticket_id: UUID):
        try:
            resp = await self.client.update_item(
                TableName=self.settings.tickets_table,
                Key=self._key(ticket_id),
                UpdateExpression="SET #s = :closed, closed_at = :now, #v = #v + :one",
                ConditionExpression="#s IN (:open, :pending)",
                ExpressionAttributeNames={"#s": "status", "#v": "version"},
                ExpressionAttributeValues=to_ddb(
                    {":closed": "closed", ":open": "open", ":pending": "pending", ":now": _now(), ":one": 1}
                ),
                ReturnValues="ALL_NEW",
            )
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise HTTPException(status_code=409, detail="ticket is not open")
            raise
        return from_ddb(resp["Attributes"])

    @router.post("/{ticket_id}/reopen", response_model=TicketOut,
                 dependencies=[Security(get_principal, scopes=["tickets:write"])])
    async def reopen_ticket(self, ticket_id: UUID):
        resp = await self.client.update_item(
            TableName=self.settings.tickets_table,
            Key=self._key(ticket_id),
            UpdateExpression="SET status = :open REMOVE closed_at",
            ConditionExpression="attribute_exists(ticket_id)",
            ExpressionAttributeValues=to_ddb({":open": "open"}),
            ReturnValues="ALL_NEW",
        )
        return from_ddb(resp["Attributes"])

    @router.post("/{ticket_id}/assign", status_code=204,
                 dependencies=[Security(get_principal, scopes=["tickets:write"])])
    async def assign_ticket(self, ticket_id: UUID, body: AssignIn):
        await self.client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": self.settings.tickets_table,
                        "Key": self._key(ticket_id),
                        "UpdateExpression": "SET assignee = :a",
                        "ConditionExpression": "attribute_exists(ticket_id)",
                        "ExpressionAttributeValues": to_ddb({":a": body.agent_email}),
                    }
                },
                {
                    "Update": {
                        "TableName": self.settings.agents_table,
                        "Key": to_ddb({"email": body.agent_email}),
                        "UpdateExpression": "SET last_ticket = :t ADD open_count :one",
                        "ExpressionAttributeValues": to_ddb({":t": str(ticket_id), ":one": 1}),
                    }
                },
            ]
        )

    @router.post("/{ticket_id}/escalate", response_model=TicketOut,
                 dependencies=[Security(get_principal, scopes=["tickets:write"])])
    async def escalate_ticket(self, ticket_id: UUID):
        resp = await self.client.update_item(
            TableName=self.settings.tickets_table,
            Key=self._key(ticket_id),
            UpdateExpression="SET #p = :urgent",
            ConditionExpression="attribute_exists(ticket_id) AND #p <> :urgent",
            ExpressionAttributeNames={"#p": "priority"},
            ExpressionAttributeValues=to_ddb({":urgent": "urgent"}),
            ReturnValues="ALL_NEW",
        )
        record_event(self.user.tenant_id, str(ticket_id), "escalated", self.user.sub)
        return from_ddb(resp["Attributes"])

    @router.delete("/{ticket_id}", status_code=204,
                   dependencies=[Security(get_principal, scopes=["tickets:admin"])])
    async def delete_ticket(self, ticket_id: UUID):
        try:
            await self.client.update_item(
                TableName=self.settings.tickets_table,
                Key=self._key(ticket_id),
                UpdateExpression="SET deleted_at = :now, deleted_by = :me",
                ConditionExpression="attribute_exists(ticket_id) AND attribute_not_exists(deleted_at)",
                ExpressionAttributeValues=to_ddb({":now": _now(), ":me": self.user.sub}),
            )
        except ClientError as e:
            if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise HTTPException(status_code=404, detail="ticket not found")
            raise
