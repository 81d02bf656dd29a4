"""Generic resource API: one router for notes, tasks and files."""
import hashlib
import hmac
import uuid
from datetime import datetime, timezone
from typing import Optional
from uuid import UUID

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from fastapi import Depends, FastAPI, Header, HTTPException, Query
from fastapi_jwt_auth import AuthJWT
from fastapi_jwt_auth.exceptions import AuthJWTException
from fastapi_pagination import Page, add_pagination, paginate

from .auth import Principal, authjwt_exception_handler, current_principal, require_admin
from .db import OWNER_INDEX, TABLES, shares, table_for, users
from .schemas import ItemIn, ItemOut, ItemPatch, ItemReplace, LoginIn, ShareIn, StatusIn, TokenOut

app = FastAPI(title="generic-resources")
app.add_exception_handler(AuthJWTException, authjwt_exception_handler)


def now() -> str:
    return datetime.now(timezone.utc).isoformat()


def visible(item: Optional[dict]) -> bool:
    return item is not None and not item.get("deleted_at")


@app.get("/healthz")
def healthz():
    return {"ok": True, "kinds": sorted(TABLES)}


@app.post("/auth/login", response_model=TokenOut)
def login(body: LoginIn, Authorize: AuthJWT = Depends()):
    user = users.get_item(Key={"username": body.username}).get("Item")
    if user is None:
        raise HTTPException(status_code=401, detail="Bad credentials")
    digest = hashlib.pbkdf2_hmac(
        "sha256", body.password.encode(), bytes.fromhex(user["salt"]), 200_000
    ).hex()
    if not hmac.compare_digest(digest, user["password_hash"]):
        raise HTTPException(status_code=401, detail="Bad credentials")
    token = Authorize.create_access_token(
        subject=user["username"], user_claims={"admin": bool(user.get("admin", False))}
    )
    return TokenOut(access_token=token)


@app.get("/search/{kind}", response_model=list[ItemOut])
async def search(kind: str, q: str = Query(..., min_length=2, max_length=100),
                 principal: Principal = Depends(current_principal)):
    table = table_for(kind)
    resp = table.scan(FilterExpression=Attr("title").contains(q) & Attr("deleted_at").not_exists())
    return resp["Items"]


@app.get("/{kind}", response_model=Page[ItemOut])
def list_items(kind: str, principal: Principal = Depends(current_principal)):
    table = table_for(kind)
    items: list[dict] = []
    kwargs = {
        "IndexName": OWNER_INDEX,
        "KeyConditionExpression": Key("owner_id").eq(principal.acting_as),
        "FilterExpression": Attr("deleted_at").not_exists(),
        "ScanIndexForward": False,
    }
    while True:
        resp = table.query(**kwargs)
        items.extend(resp["Items"])
        if "LastEvaluatedKey" not in resp:
            break
        kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]
    return paginate(items)


@app.post("/{kind}", response_model=ItemOut, status_code=201)
def create_item(kind: str, body: ItemIn, principal: Principal = Depends(current_principal)):
    table = table_for(kind)
    stamp = now()
    item = {
        "item_id": str(uuid.uuid4()),
        "kind": kind,
        **body.model_dump(),
        "owner_id": principal.acting_as,
        "created_at": stamp,
        "updated_at": stamp,
        "share_count": 0,
    }
    if kind == "tasks":
        item["status"] = "todo"
    table.put_item(Item=item, ConditionExpression="attribute_not_exists(item_id)")
    return item


@app.get("/{kind}/{item_id}", response_model=ItemOut)
def get_item(kind: str, item_id: UUID, principal: Principal = Depends(current_principal)):
    table = table_for(kind)
    item = table.get_item(Key={"item_id": str(item_id)}).get("Item")
    if not visible(item) or item["owner_id"] != principal.acting_as:
        raise HTTPException(status_code=404, detail="Not found")
    return item


@app.patch("/{kind}/{item_id}", response_model=ItemOut)
def patch_item(kind: str, item_id: str, body: ItemPatch,
               principal: Principal = Depends(current_principal)):
    table = table_for(kind)
    item = table.get_item(Key={"item_id": item_id}).get("Item")
    if not visible(item):
        raise HTTPException(status_code=404, detail="Not found")
    if item["owner_id"] != principal.acting_as:
        raise HTTPException(status_code=403, detail="Not your item")
    changes = body.model_dump(exclude_unset=True)
    changes["updated_at"] = now()
    names = {f"#{k}": k for k in changes}
    values = {f":{k}": v for k, v in changes.items()}
    resp = table.update_item(
        Key={"item_id": item_id},
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in changes),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]


@app.put("/{kind}/{item_id}", response_model=ItemOut)
def replace_item(kind: str, item_id: UUID, body: ItemReplace,
                 principal: Principal = Depends(current_principal)):
    table = table_for(kind)
    item = {
        "owner_id": principal.acting_as,
        "created_at": now(),
        **body.model_dump(exclude_none=True),
        "item_id": str(item_id),
        "kind": kind,
        "updated_at": now(),
    }
    try:
        table.put_item(
            Item=item,
            ConditionExpression="owner_id = :me AND attribute_not_exists(deleted_at)",
            ExpressionAttributeValues={":me": principal.acting_as},
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="Not found")
        raise
    return item


@app.delete("/{kind}/{item_id}", status_code=204)
def soft_delete(kind: str, item_id: UUID, principal: Principal = Depends(current_principal)):
    # Looks like a blind update, but owner and "not yet deleted" are both in the condition.
    table = table_for(kind)
    try:
        table.update_item(
            Key={"item_id": str(item_id)},
            UpdateExpression="SET deleted_at = :now, deleted_by = :by",
            ConditionExpression="owner_id = :me AND attribute_not_exists(deleted_at)",
            ExpressionAttributeValues={":now": now(), ":by": principal.subject,
                                       ":me": principal.acting_as},
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="Not found")
        raise


@app.post("/{kind}/{item_id}/restore", response_model=ItemOut)
def restore(kind: str, item_id: UUID,
            x_act_as: Optional[str] = Header(None, alias="X-Act-As", max_length=64),
            Authorize: AuthJWT = Depends()):
    # Support tooling calls this with X-Act-As; it skips current_principal's admin check.
    Authorize.jwt_required()
    who = x_act_as or Authorize.get_jwt_subject()
    table = table_for(kind)
    try:
        resp = table.update_item(
            Key={"item_id": str(item_id)},
            UpdateExpression="REMOVE deleted_at, deleted_by SET updated_at = :now",
            ConditionExpression="owner_id = :who AND attribute_exists(deleted_at)",
            ExpressionAttributeValues={":who": who, ":now": now()},
            ReturnValues="ALL_NEW",
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="Not found")
        raise
    return resp["Attributes"]


@app.post("/{kind}/{item_id}/shares", status_code=201)
def share_item(kind: str, item_id: UUID, body: ShareIn,
               principal: Principal = Depends(current_principal)):
    table = table_for(kind)
    item = table.get_item(Key={"item_id": str(item_id)}).get("Item")
    if not visible(item) or item["owner_id"] != principal.acting_as:
        raise HTTPException(status_code=404, detail="Not found")
    shares.put_item(
        Item={
            "item_id": str(item_id),
            "user_id": body.user_id,
            "kind": kind,
            "permission": body.permission,
            "granted_by": principal.acting_as,
            "granted_at": now(),
        },
        ConditionExpression="attribute_not_exists(user_id)",
    )
    table.update_item(
        Key={"item_id": str(item_id)},
        UpdateExpression="ADD share_count :one",
        ConditionExpression="attribute_exists(item_id)",
        ExpressionAttributeValues={":one": 1},
    )
    return {"item_id": str(item_id), "user_id": body.user_id, "permission": body.permission}


@app.put("/tasks/{item_id}/status", response_model=ItemOut)
def set_task_status(item_id: UUID, body: StatusIn,
                    principal: Principal = Depends(current_principal)):
    table = TABLES["tasks"]
    try:
        resp = table.update_item(
            Key={"item_id": str(item_id)},
            UpdateExpression="SET #s = :s, updated_at = :now",
            ConditionExpression="owner_id = :me AND attribute_not_exists(deleted_at)",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": body.status, ":now": now(),
                                       ":me": principal.acting_as},
            ReturnValues="ALL_NEW",
        )
    except ClientError as e:
        raise HTTPException(status_code=400, detail=str(e))
    return resp["Attributes"]


@app.get("/{kind}/{item_id}/fields")
def item_fields(kind: str, item_id: UUID,
                fields: str = Query("title", max_length=200),
                principal: Principal = Depends(current_principal)):
    table = table_for(kind)
    projection = ",".join(["owner_id", "deleted_at", *fields.split(",")])
    item = table.get_item(Key={"item_id": str(item_id)},
                          ProjectionExpression=projection).get("Item")
    if not visible(item) or item["owner_id"] != principal.acting_as:
        raise HTTPException(status_code=404, detail="Not found")
    return {k: v for k, v in item.items() if k not in ("owner_id", "deleted_at")}


@app.get("/{kind}/{item_id}/export")
def export_item(kind: str, item_id: UUID, principal: Principal = Depends(current_principal)):
    table = table_for(kind)
    item = table.get_item(Key={"item_id": str(item_id)}, ConsistentRead=True).get("Item")
    if item is None or item["owner_id"] != principal.acting_as:
        raise HTTPException(status_code=404, detail="Not found")
    return item


@app.post("/{kind}/{item_id}/views", status_code=204)
def count_view(kind: str, item_id: UUID):
    # Called by the web client's viewer beacon, before the token is attached.
    table = table_for(kind)
    table.update_item(
        Key={"item_id": str(item_id)},
        UpdateExpression="ADD view_count :one SET last_viewed_at = :now",
        ConditionExpression="attribute_exists(item_id)",
        ExpressionAttributeValues={":one": 1, ":now": now()},
    )


@app.delete("/admin/{kind}/{item_id}", status_code=204)
def purge(kind: str, item_id: UUID, admin: Principal = Depends(require_admin)):
    # Hard delete, only of items that were soft-deleted first.
    table = table_for(kind)
    try:
        table.delete_item(
            Key={"item_id": str(item_id)},
            ConditionExpression="attribute_exists(deleted_at)",
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=409, detail="Soft-delete the item first")
        raise


add_pagination(app)
