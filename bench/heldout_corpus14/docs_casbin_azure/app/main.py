from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timezone
from typing import Optional

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import BotoCoreError, ClientError
from fastapi import Depends, FastAPI, Header, HTTPException, Path, Query, Response
from fastapi.responses import JSONResponse
from fastapi_azure_auth.user import User
from starlette.concurrency import run_in_threadpool

from . import db
from .auth import (
    OPENAPI_CLIENT_ID,
    DocId,
    azure_scheme,
    enforcer,
    grant_owner,
    grant_reader,
    require,
    require_app_role,
    require_on_doc,
    revoke_all,
)
from .schemas import (
    AclOut,
    BulkDelete,
    DocContent,
    DocCreate,
    DocFull,
    DocMeta,
    DocOut,
    ShareIn,
    SharedDoc,
    StatusChange,
    SummaryOut,
)

app = FastAPI(
    title="Documents",
    swagger_ui_init_oauth={"usePkceWithAuthorizationCodeGrant": True, "clientId": OPENAPI_CLIENT_ID},
)


@app.on_event("startup")
async def load_openid_config() -> None:
    await azure_scheme.openid_config.load_config()


@app.exception_handler(ClientError)
@app.exception_handler(BotoCoreError)
async def aws_error_handler(request, exc):
    return JSONResponse(status_code=502, content={"detail": str(exc)})


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


@app.get("/healthz")
def healthz():
    db.client.describe_table(TableName=db.DOCS_TABLE)
    return {"status": "ok"}


@app.get("/documents", response_model=list[DocOut])
async def my_documents(user: User = Depends(require("docs", "read"))):
    resp = db.docs_table.query(
        IndexName="by-owner",
        KeyConditionExpression=Key("owner_oid").eq(user.oid),
    )
    return resp["Items"]


@app.post("/documents", response_model=DocOut, status_code=201)
def create_document(
    body: DocCreate,
    idempotency_key: str = Header(alias="Idempotency-Key", min_length=16, max_length=64),
    user: User = Depends(require("docs", "create")),
):
    doc_id = f"doc_{uuid.uuid4().hex}"
    try:
        db.idempotency_table.put_item(
            Item={"pk": f"{user.oid}#{idempotency_key}", "doc_id": doc_id, "created_at": _now()},
            ConditionExpression="attribute_not_exists(pk)",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        seen = db.idempotency_table.get_item(Key={"pk": f"{user.oid}#{idempotency_key}"})["Item"]
        existing = db.docs_table.get_item(Key={"doc_id": seen["doc_id"]}).get("Item")
        if existing is None or existing["owner_oid"] != user.oid:
            raise HTTPException(status_code=409, detail="Request still in progress")
        return existing

    db.client.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": db.DOCS_TABLE,
                    "Item": {
                        "doc_id": {"S": doc_id},
                        "title": {"S": body.title},
                        "body": {"S": body.body},
                        "tags": {"L": [{"S": t} for t in body.tags]},
                        "owner_oid": {"S": user.oid},
                        "status": {"S": "draft"},
                        "version": {"N": "1"},
                        "classification": {"S": "internal"},
                        "created_at": {"S": _now()},
                    },
                    "ConditionExpression": "attribute_not_exists(doc_id)",
                }
            },
            {
                "Put": {
                    "TableName": db.ACL_TABLE,
                    "Item": {
                        "doc_id": {"S": doc_id},
                        "owner_oid": {"S": user.oid},
                        "readers": {"SS": [user.oid]},
                    },
                    "ConditionExpression": "attribute_not_exists(doc_id)",
                }
            },
        ]
    )
    grant_owner(user.oid, doc_id)
    return {"doc_id": doc_id, "title": body.title, "owner_oid": user.oid, "status": "draft",
            "version": 1, "tags": body.tags}


@app.get("/documents/shared-with-me", response_model=list[SharedDoc])
async def shared_with_me(user: User = Depends(require("docs", "read"))):
    resp = await run_in_threadpool(
        db.client.query,
        TableName=db.SHARES_TABLE,
        KeyConditionExpression="reader_oid = :me",
        ExpressionAttributeValues={":me": {"S": user.oid}},
    )
    return [db.from_ddb(i) for i in resp["Items"]]


@app.get("/documents/search", response_model=list[DocOut])
def search_documents(
    q: str = Query(min_length=2, max_length=80),
    user: User = Depends(require("docs", "read")),
):
    resp = db.docs_table.scan(FilterExpression=Attr("title").contains(q), Limit=200)
    return resp["Items"]


@app.get("/documents/{doc_id}", response_model=DocFull)
def get_document(doc_id: DocId, user: User = Depends(require("docs", "read"))):
    resp = db.client.transact_get_items(
        TransactItems=[
            {"Get": {"TableName": db.DOCS_TABLE, "Key": {"doc_id": {"S": doc_id}}}},
            {"Get": {"TableName": db.ACL_TABLE, "Key": {"doc_id": {"S": doc_id}}}},
        ]
    )
    doc_resp, acl_resp = resp["Responses"]
    if "Item" not in doc_resp or "Item" not in acl_resp:
        raise HTTPException(status_code=404, detail="Document not found")
    doc, acl = db.from_ddb(doc_resp["Item"]), db.from_ddb(acl_resp["Item"])
    if user.oid != acl["owner_oid"] and user.oid not in acl.get("readers", set()):
        raise HTTPException(status_code=404, detail="Document not found")
    return doc


@app.put("/documents/{doc_id}", response_model=DocFull)
def replace_content(
    doc_id: DocId,
    body: DocContent,
    response: Response,
    if_match: Optional[str] = Header(None),
    user: User = Depends(require_on_doc("write")),
):
    if if_match is None or not if_match.strip('"').isdigit():
        raise HTTPException(status_code=428, detail="If-Match with the document version required")
    expected = int(if_match.strip('"'))
    try:
        resp = db.docs_table.update_item(
            Key={"doc_id": doc_id},
            UpdateExpression="SET #t = :t, #b = :b, #v = #v + :one, updated_at = :now, updated_by = :me",
            ConditionExpression="#v = :expected",
            ExpressionAttributeNames={"#t": "title", "#b": "body", "#v": "version"},
            ExpressionAttributeValues={
                ":t": body.title, ":b": body.body, ":one": 1, ":expected": expected,
                ":now": _now(), ":me": user.oid,
            },
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=412, detail="Version mismatch")
        raise
    item = resp["Attributes"]
    response.headers["ETag"] = f'"{item["version"]}"'
    return item


@app.patch("/documents/{doc_id}", response_model=DocOut)
def patch_metadata(doc_id: DocId, body: DocMeta, user: User = Depends(require_on_doc("write"))):
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise HTTPException(status_code=400, detail="Nothing to change")
    names = {f"#k{i}": k for i, k in enumerate(changes)}
    values = {f":v{i}": v for i, v in enumerate(changes.values())}
    sets = ", ".join(f"#k{i} = :v{i}" for i in range(len(changes)))
    resp = db.docs_table.update_item(
        Key={"doc_id": doc_id},
        UpdateExpression=f"SET {sets}",
        ConditionExpression="attribute_exists(doc_id)",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]


@app.post("/documents/{doc_id}/status", response_model=DocOut)
def change_status(doc_id: str, body: StatusChange, user: User = Depends(require("docs", "write"))):
    resp = db.docs_table.update_item(
        Key={"doc_id": doc_id},
        UpdateExpression="SET #s = :s, status_changed_by = :me",
        ConditionExpression="attribute_exists(doc_id)",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": body.status, ":me": user.oid},
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]


@app.post("/documents/{doc_id}/share", status_code=204)
def share_document(doc_id: DocId, body: ShareIn, user: User = Depends(require("docs", "share"))):
    db.client.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": db.ACL_TABLE,
                    "Key": {"doc_id": {"S": doc_id}},
                    "UpdateExpression": "ADD readers :r",
                    "ConditionExpression": "attribute_exists(doc_id)",
                    "ExpressionAttributeValues": {":r": {"SS": [body.reader_oid]}},
                }
            },
            {
                "Put": {
                    "TableName": db.SHARES_TABLE,
                    "Item": {
                        "reader_oid": {"S": body.reader_oid},
                        "doc_id": {"S": doc_id},
                        "shared_by": {"S": user.oid},
                        "shared_at": {"S": _now()},
                    },
                }
            },
        ]
    )
    grant_reader(body.reader_oid, doc_id)
    return Response(status_code=204)


@app.get("/documents/{doc_id}/acl", response_model=AclOut)
def get_acl(doc_id: DocId, user: User = Depends(require_on_doc("share"))):
    resp = db.acl_table.get_item(Key={"doc_id": doc_id})
    if "Item" not in resp:
        raise HTTPException(status_code=404, detail="Document not found")
    return resp["Item"]


@app.get("/documents/{doc_id}/versions/{version}")
def get_version(
    doc_id: DocId,
    version: int = Path(ge=1),
    user: User = Depends(require_on_doc("read")),
):
    resp = db.client.get_item(
        TableName=db.VERSIONS_TABLE,
        Key={"doc_id": doc_id, "version": version},
    )
    if "Item" not in resp:
        raise HTTPException(status_code=404, detail="Version not found")
    item = db.from_ddb(resp["Item"])
    return {"doc_id": doc_id, "version": version, "title": item["title"], "body": item["body"]}


@app.get("/documents/{doc_id}/summary", response_model=SummaryOut)
async def summary(doc_id: DocId, user: User = Depends(require("docs", "read"))):
    resp = await asyncio.to_thread(db.docs_table.get_item, Key={"doc_id": doc_id})
    doc = resp.get("Item")
    if doc is None:
        raise HTTPException(status_code=404, detail="Document not found")
    if not enforcer.enforce(user.oid, f"docs/{doc_id}", "read"):
        raise HTTPException(status_code=403, detail="You do not have access to this document")
    return {"doc_id": doc_id, "title": doc["title"], "words": len(doc.get("body", "").split())}


@app.delete("/documents/{doc_id}", status_code=204)
async def delete_document(doc_id: DocId, user: User = Depends(require_on_doc("delete"))):
    await run_in_threadpool(db.docs_table.delete_item, Key={"doc_id": doc_id})
    await run_in_threadpool(db.acl_table.delete_item, Key={"doc_id": doc_id})
    revoke_all(doc_id)
    return Response(status_code=204)


@app.post("/admin/documents/bulk-delete")
def bulk_delete(body: BulkDelete, admin: User = Depends(require_app_role("Documents.Admin"))):
    with db.docs_table.batch_writer() as batch:
        for doc_id in body.doc_ids:
            batch.delete_item(Key={"doc_id": doc_id})
    # ACL rows are removed by the documents table's stream handler (acl_cleanup lambda).
    for doc_id in body.doc_ids:
        revoke_all(doc_id)
    return {"deleted": len(body.doc_ids)}
