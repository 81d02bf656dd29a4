from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Path, Security

from .auth import Principal, get_principal
from .db import from_ddb, get_client, to_ddb
from .models import AgentIn, AgentOut, AgentSelfPatch
from .settings import Settings, get_settings

router = APIRouter(prefix="/agents", tags=["agents"])

AgentEmail = Path(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")


@router.get("/", response_model=list[AgentOut])
async def list_agents(
    admin: Principal = Security(get_principal, scopes=["agents:admin"]),
    client: Any = Depends(get_client),
    settings: Settings = Depends(get_settings),
):
    agents: list[dict] = []
    kwargs: dict[str, Any] = {
        "TableName": settings.agents_table,
        "FilterExpression": "tenant_id = :t",
        "ExpressionAttributeValues": to_ddb({":t": admin.tenant_id}),
    }
    while True:
        resp = await client.scan(**kwargs)
        agents.extend(from_ddb(i) for i in resp.get("Items", []))
        if "LastEvaluatedKey" not in resp:
            return agents
        kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]


@router.get("/me", response_model=AgentOut)
async def my_agent_profile(
    user: Principal = Security(get_principal, scopes=["tickets:read"]),
    client: Any = Depends(get_client),
    settings: Settings = Depends(get_settings),
):
    resp = await client.get_item(TableName=settings.agents_table, Key=to_ddb({"email": user.email}))
    if "Item" not in resp:
        raise HTTPException(status_code=404, detail="you are not an agent")
    return from_ddb(resp["Item"])


@router.patch("/me", response_model=AgentOut)
async def edit_my_agent_profile(
    body: AgentSelfPatch,
    user: Principal = Security(get_principal, scopes=["tickets:read"]),
    client: Any = Depends(get_client),
    settings: Settings = Depends(get_settings),
):
    changes = body.model_dump(exclude_none=True)
    if not changes:
        raise HTTPException(status_code=400, detail="nothing to change")
    resp = await client.update_item(
        TableName=settings.agents_table,
        Key=to_ddb({"email": user.email}),
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in changes),
        ConditionExpression="attribute_exists(email)",
        ExpressionAttributeNames={f"#{k}": k for k in changes},
        ExpressionAttributeValues=to_ddb({f":{k}": v for k, v in changes.items()}),
        ReturnValues="ALL_NEW",
    )
    return from_ddb(resp["Attributes"])


@router.put("/{email}", response_model=AgentOut)
async def upsert_agent(
    body: AgentIn,
    email: str = AgentEmail,
    admin: Principal = Security(get_principal, scopes=["agents:admin"]),
    client: Any = Depends(get_client),
    settings: Settings = Depends(get_settings),
):
    item = {
        "email": email.lower(),
        "tenant_id": admin.tenant_id,
        "display_name": body.display_name,
        "role": body.role,
        "skills": body.skills or None,
        "open_count": 0,
    }
    await client.put_item(TableName=settings.agents_table, Item=to_ddb(item))
    return item
