from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Security

from .auth import Principal, get_principal
from .db import from_ddb, get_client, to_ddb
from .models import SlaOut, TicketOut
from .settings import Settings, get_settings

router = APIRouter(tags=["reports"])


@router.get("/reports/search", response_model=list[TicketOut])
async def search_tickets(
    field: str = Query(..., max_length=40),
    value: str = Query(..., max_length=200),
    user: Principal = Security(get_principal, scopes=["tickets:read"]),
    client: Any = Depends(get_client),
    settings: Settings = Depends(get_settings),
):
    resp = await client.query(
        TableName=settings.tickets_table,
        KeyConditionExpression="tenant_id = :t",
        FilterExpression=f"{field} = :v",
        ExpressionAttributeValues=to_ddb({":t": user.tenant_id, ":v": value}),
    )
    return [from_ddb(i) for i in resp.get("Items", [])]


@router.get("/reports/backlog", response_model=list[TicketOut])
async def backlog(
    user: Principal = Security(get_principal, scopes=["tickets:read"]),
    client: Any = Depends(get_client),
    settings: Settings = Depends(get_settings),
):
    open_tickets: list[dict] = []
    kwargs: dict[str, Any] = {
        "TableName": settings.tickets_table,
        "FilterExpression": "#s = :open",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": to_ddb({":open": "open"}),
    }
    while True:
        page = await client.scan(**kwargs)
        for raw in page.get("Items", []):
            ticket = from_ddb(raw)
            if ticket["tenant_id"] == user.tenant_id:
                open_tickets.append(ticket)
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return sorted(open_tickets, key=lambda t: t["created_at"])


@router.get("/sla/{ticket_id}", response_model=SlaOut)
async def ticket_sla(
    ticket_id: UUID,
    x_tenant_id: str = Header(..., max_length=64),
    user: Principal = Security(get_principal, scopes=["tickets:read"]),
    client: Any = Depends(get_client),
    settings: Settings = Depends(get_settings),
):
    # The support portal proxies requests for the tenant the agent is currently viewing.
    resp = await client.get_item(
        TableName=settings.tickets_table,
        Key=to_ddb({"tenant_id": x_tenant_id, "ticket_id": str(ticket_id)}),
        ProjectionExpression="ticket_id, priority, #s, created_at",
        ExpressionAttributeNames={"#s": "status"},
    )
    if "Item" not in resp:
        raise HTTPException(status_code=404, detail="ticket not found")
    return from_ddb(resp["Item"])
