"""Team budgets ledger. Clerk session tokens, boto3 resource, optimistic versions."""
from __future__ import annotations

import os
import time
import uuid
from functools import lru_cache
from typing import Annotated, Any, Literal, TypedDict

import boto3
import jwt
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from fastapi import Body, Depends, FastAPI, HTTPException, Path, Request, status
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from mangum import Mangum
from pydantic import BaseModel, Field, TypeAdapter

CLERK_ISSUER = os.environ["CLERK_ISSUER"]
AUTHORIZED_PARTIES = {p for p in os.getenv("CLERK_AUTHORIZED_PARTIES", "").split(",") if p}

dynamodb = boto3.resource("dynamodb")
budgets = dynamodb.Table(os.getenv("BUDGETS_TABLE", "ledger-budgets"))
entries = dynamodb.Table(os.getenv("ENTRIES_TABLE", "ledger-entries"))
memberships = dynamodb.Table(os.getenv("MEMBERSHIPS_TABLE", "ledger-memberships"))

BudgetId = Annotated[str, Path(pattern=r"^bdg_[a-z0-9]{12}$")]
bearer = HTTPBearer()


@lru_cache(maxsize=1)
def jwks_client() -> jwt.PyJWKClient:
    return jwt.PyJWKClient(f"{CLERK_ISSUER}/.well-known/jwks.json", cache_keys=True)


class Member(BaseModel):
    user_id: str
    session_id: str
    org_id: str
    org_role: str


def clerk_member(creds: HTTPAuthorizationCredentials = Depends(bearer)) -> Member:
    token = creds.credentials
    try:
        key = jwks_client().get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            issuer=CLERK_ISSUER,
            leeway=5,
            options={"require": ["exp", "nbf", "iat", "sub", "sid"]},
        )
    except jwt.PyJWTError:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid session token")
    if AUTHORIZED_PARTIES and claims.get("azp") not in AUTHORIZED_PARTIES:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unexpected azp")
    if not claims.get("org_id"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "select an organization")
    return Member(user_id=claims["sub"], session_id=claims["sid"], org_id=claims["org_id"],
                  org_role=claims.get("org_role", "org:member"))


CurrentMember = Annotated[Member, Depends(clerk_member)]


class BudgetItem(TypedDict):
    budget_id: str
    org_id: str
    title: str
    cap_cents: int
    spent_cents: int
    state: Literal["draft", "pending", "approved"]
    notes: str
    version: int


budget_adapter = TypeAdapter(BudgetItem)
budget_list_adapter = TypeAdapter(list[BudgetItem])


class BudgetPut(BaseModel):
    title: str = Field(min_length=1, max_length=80)
    cap_cents: int = Field(ge=0)
    notes: str = ""
    expected_version: int = Field(0, ge=0)


class BudgetPatch(BaseModel):
    title: str | None = Field(None, max_length=80)
    cap_cents: int | None = Field(None, ge=0)
    notes: str | None = None
    expected_version: int = Field(ge=1)


class BudgetOut(BaseModel):
    budget_id: str
    title: str
    cap_cents: int
    spent_cents: int
    state: str
    version: int


class EntryIn(BaseModel):
    budget_id: str
    amount_cents: int = Field(gt=0)
    memo: str = Field("", max_length=200)


class TransferIn(BaseModel):
    source_budget_id: str = Field(pattern=r"^bdg_[a-z0-9]{12}$")
    target_budget_id: str = Field(pattern=r"^bdg_[a-z0-9]{12}$")
    amount_cents: int = Field(gt=0)


EDITABLE = ("title", "cap_cents", "notes")

app = FastAPI(title="ledger")


@app.exception_handler(ClientError)
async def dynamo_failed(request: Request, exc: ClientError) -> JSONResponse:
    return JSONResponse(status_code=502, content={"code": exc.response["Error"]["Code"], "message": str(exc)})


def load_budget(budget_id: str, member: Member) -> BudgetItem:
    item = budgets.get_item(Key={"budget_id": budget_id}).get("Item")
    if item is None or item["org_id"] != member.org_id:
        raise HTTPException(404, "budget not found")
    return budget_adapter.validate_python(item)


@app.get("/budgets", response_model=list[BudgetOut])
def list_budgets(member: CurrentMember):
    resp = budgets.query(IndexName="by_org", KeyConditionExpression=Key("org_id").eq(member.org_id))
    return budget_list_adapter.validate_python(resp["Items"])


@app.put("/budgets/{budget_id}", response_model=BudgetOut)
def put_budget(budget_id: BudgetId, body: BudgetPut, member: CurrentMember):
    """Idempotent upsert: version 0 creates, otherwise the stored version must match."""
    if body.expected_version == 0:
        condition = Attr("budget_id").not_exists()
    else:
        condition = Attr("org_id").eq(member.org_id) & Attr("version").eq(body.expected_version)
    try:
        out = budgets.update_item(
            Key={"budget_id": budget_id},
            UpdateExpression=(
                "SET org_id = :org, title = :title, cap_cents = :cap, notes = :notes, #v = :next, "
                "spent_cents = if_not_exists(spent_cents, :zero), #st = if_not_exists(#st, :draft)"
            ),
            ConditionExpression=condition,
            ExpressionAttributeNames={"#v": "version", "#st": "state"},
            ExpressionAttributeValues={
                ":org": member.org_id, ":title": body.title, ":cap": body.cap_cents, ":notes": body.notes,
                ":next": body.expected_version + 1, ":zero": 0, ":draft": "draft",
            },
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(409, "budget changed or belongs to someone else") from None
        raise
    return out["Attributes"]


@app.get("/budgets/{budget_id}", response_model=BudgetOut)
async def get_budget(budget_id: BudgetId, member: CurrentMember):
    item = budgets.get_item(Key={"budget_id": budget_id}, ConsistentRead=True).get("Item")
    if item is None or item["org_id"] != member.org_id:
        raise HTTPException(404, "budget not found")
    return item


@app.patch("/budgets/{budget_id}", response_model=BudgetOut)
def patch_budget(budget_id: BudgetId, body: BudgetPatch, member: CurrentMember):
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if k in EDITABLE}
    if not changes:
        raise HTTPException(400, "nothing to change")
    update = "SET " + ", ".join(f"#{k} = :{k}" for k in EDITABLE if k in changes) + ", #v = #v + :one"
    try:
        out = budgets.update_item(
            Key={"budget_id": budget_id},
            UpdateExpression=update,
            ConditionExpression=Attr("org_id").eq(member.org_id) & Attr("version").eq(body.expected_version),
            ExpressionAttributeNames={**{f"#{k}": k for k in changes}, "#v": "version"},
            ExpressionAttributeValues={**{f":{k}": v for k, v in changes.items()}, ":one": 1},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(409, "stale version") from None
        raise
    return out["Attributes"]


@app.post("/budgets/{budget_id}/labels")
def set_labels(budget_id: BudgetId, member: CurrentMember, labels: dict[str, str] = Body(...)):
    if not labels or len(labels) > 10:
        raise HTTPException(400, "between 1 and 10 labels")
    budgets.update_item(
        Key={"budget_id": budget_id},
        UpdateExpression="SET " + ", ".join(f"labels.{name} = :l{i}" for i, name in enumerate(labels)),
        ConditionExpression=Attr("org_id").eq(member.org_id),
        ExpressionAttributeValues={f":l{i}": v for i, v in enumerate(labels.values())},
    )
    return {"labels": sorted(labels)}


@app.post("/budgets/{budget_id}/rename", response_model=BudgetOut)
def rename_budget(budget_id: BudgetId, member: CurrentMember, name: str = Body(..., embed=True, max_length=80),
                  expected_version: int = Body(..., embed=True)):
    out = budgets.update_item(
        Key={"budget_id": budget_id},
        UpdateExpression="SET title = :n, name = :n, #v = #v + :one",
        ConditionExpression=Attr("org_id").eq(member.org_id) & Attr("version").eq(expected_version),
        ExpressionAttributeNames={"#v": "version"},
        ExpressionAttributeValues={":n": name, ":one": 1},
        ReturnValues="ALL_NEW",
    )
    return out["Attributes"]


@app.post("/budgets/{budget_id}/approve", response_model=BudgetOut)
def approve_budget(budget_id: BudgetId, member: CurrentMember):
    if member.org_role != "org:admin":
        raise HTTPException(403, "admins approve budgets")
    try:
        out = budgets.update_item(
            Key={"budget_id": budget_id},
            UpdateExpression="SET #st = :approved, approved_by = :me, #v = #v + :one",
            ConditionExpression="#st = :pending AND org_id = :org",
            ExpressionAttributeNames={"#st": "state", "#v": "version"},
            ExpressionAttributeValues={":approved": "approved", ":pending": "pending", ":me": member.user_id,
                                       ":org": member.org_id, ":one": 1},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(409, "budget is not pending") from None
        raise
    return out["Attributes"]


@app.post("/budgets/{budget_id}/entries", status_code=201)
def add_entry(budget_id: BudgetId, body: EntryIn, member: CurrentMember) -> dict[str, str]:
    load_budget(budget_id, member)
    entry_id = uuid.uuid4().hex
    entries.put_item(
        Item={"budget_id": budget_id, "entry_id": entry_id, "amount_cents": body.amount_cents,
              "memo": body.memo, "author_id": member.user_id, "at": int(time.time())},
        ConditionExpression=Attr("entry_id").not_exists(),
    )
    budgets.update_item(
        Key={"budget_id": budget_id},
        UpdateExpression="ADD spent_cents :amt",
        ConditionExpression=Attr("org_id").eq(member.org_id),
        ExpressionAttributeValues={":amt": body.amount_cents},
    )
    return {"entry_id": entry_id}


@app.put("/budgets/{budget_id}/entries/{entry_id}")
def put_entry(budget_id: BudgetId, entry_id: uuid.UUID, body: EntryIn, member: CurrentMember) -> dict[str, str]:
    load_budget(budget_id, member)
    entries.put_item(
        Item={"budget_id": body.budget_id, "entry_id": str(entry_id), "amount_cents": body.amount_cents,
              "memo": body.memo, "author_id": member.user_id, "at": int(time.time())},
        ConditionExpression=Attr("entry_id").not_exists() | Attr("author_id").eq(member.user_id),
    )
    return {"entry_id": str(entry_id)}


@app.get("/budgets/{budget_id}/entries")
def list_entries(budget_id: BudgetId, member: CurrentMember) -> list[dict[str, Any]]:
    resp = entries.query(KeyConditionExpression=Key("budget_id").eq(budget_id), Limit=100)
    return [{"entry_id": i["entry_id"], "amount_cents": int(i["amount_cents"]), "memo": i["memo"]}
            for i in resp["Items"]]


@app.delete("/budgets/{budget_id}/entries", status_code=204)
def clear_entries(budget_id: BudgetId, member: CurrentMember) -> None:
    load_budget(budget_id, member)
    keys = entries.query(KeyConditionExpression=Key("budget_id").eq(budget_id),
                         ProjectionExpression="budget_id, entry_id")["Items"]
    for start in range(0, len(keys), 25):
        entries.batch_write_item(
            RequestItems={entries.name: [{"DeleteRequest": {"Key": k}} for k in keys[start:start + 25]]}
        )


@app.post("/transfers", status_code=204)
def transfer(body: TransferIn, member: CurrentMember) -> None:
    client = dynamodb.meta.client
    client.transact_write_items(
        TransactItems=[
            {"ConditionCheck": {
                "TableName": budgets.name,
                "Key": {"budget_id": body.source_budget_id},
                "ConditionExpression": "org_id = :org AND spent_cents <= cap_cents",
                "ExpressionAttributeValues": {":org": member.org_id},
            }},
            {"Update": {
                "TableName": budgets.name,
                "Key": {"budget_id": body.source_budget_id},
                "UpdateExpression": "SET cap_cents = cap_cents - :amt",
                "ConditionExpression": "cap_cents >= :amt",
                "ExpressionAttributeValues": {":amt": body.amount_cents},
            }},
            {"Update": {
                "TableName": budgets.name,
                "Key": {"budget_id": body.target_budget_id},
                "UpdateExpression": "SET cap_cents = cap_cents + :amt",
                "ConditionExpression": "attribute_exists(budget_id)",
                "ExpressionAttributeValues": {":amt": body.amount_cents},
            }},
        ]
    )


@app.get("/me/memberships")
def my_memberships(member: CurrentMember):
    resp = memberships.query(KeyConditionExpression=Key("user_id").eq(member.user_id))
    return resp["Items"]


@app.delete("/budgets/{budget_id}", status_code=204)
def delete_budget(budget_id: BudgetId, member: CurrentMember) -> None:
    try:
        budgets.delete_item(
            Key={"budget_id": budget_id},
            ConditionExpression=Attr("org_id").eq(member.org_id) & Attr("state").ne("approved"),
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(404, "budget not found or approved") from None
        raise


@app.post("/budgets/{budget_id}/submit", response_model=BudgetOut)
def submit_budget(budget_id: BudgetId, member: CurrentMember, expected_version: int = Body(..., embed=True)):
    try:
        out = budgets.update_item(
            Key={"budget_id": budget_id},
            UpdateExpression="SET #st = :pending, submitted_by = :me, #v = #v + :one",
            ConditionExpression=Attr("state").eq("draft") & Attr("org_id").eq(member.org_id)
            & Attr("version").eq(expected_version),
            ExpressionAttributeNames={"#st": "state", "#v": "version"},
            ExpressionAttributeValues={":pending": "pending", ":me": member.user_id, ":one": 1},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(409, "budget is not a draft at that version") from None
        raise
    return out["Attributes"]


@app.get("/budgets/{budget_id}/entries/{entry_id}")
def get_entry(budget_id: BudgetId, entry_id: uuid.UUID, member: CurrentMember) -> dict[str, Any]:
    load_budget(budget_id, member)
    item = entries.get_item(Key={"budget_id": budget_id, "entry_id": str(entry_id)}).get("Item")
    if item is None:
        raise HTTPException(404, "entry not found")
    return {"entry_id": item["entry_id"], "amount_cents": int(item["amount_cents"]), "memo": item["memo"]}


handler = Mangum(app, lifespan="off")
