"""Multi-region profile service over DynamoDB global tables."""
import base64
import hashlib
import json
import re
import secrets
import time
import uuid
from dataclasses import asdict
from typing import Optional

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from fastapi import Depends, FastAPI, File, HTTPException, Path, Query, UploadFile
from pydantic import EmailStr

from .deps import (API_KEYS, AVATARS, PROFILES, SESSIONS, Account, ProfileKey, SessionKey,
                   current_account, home_db, regional_db, replica_db, require_admin)
from .models import (AdoptIn, AvatarMeta, ContactIn, PlanChange, PreferencesIn, Profile,
                     ProfileIn, ProfileOut, ProfileUpdate, SessionIn, StatusIn, utcnow)

app = FastAPI(title="regional-profiles")

PID = Path(..., pattern=r"^[0-9a-f]{32}$")
PROFILE_RE = re.compile(r"^[0-9a-f]{32}$")
MAX_AVATAR = 2 * 1024 * 1024


def profile_key(account: Account, profile_id: str) -> dict:
    return ProfileKey(account.tenant_id, profile_id)._asdict()


def not_found() -> HTTPException:
    return HTTPException(status_code=404, detail="Profile not found")


@app.get("/healthz")
def healthz():
    return {"ok": True}


@app.post("/keys", status_code=201)
def create_key(account: Account = Depends(require_admin), db=Depends(home_db)):
    raw = "rp_" + secrets.token_urlsafe(32)
    db.Table(API_KEYS).put_item(
        Item={"key_hash": hashlib.sha256(raw.encode()).hexdigest(),
              "tenant_id": account.tenant_id, "role": "member", "created_at": utcnow()},
        ConditionExpression="attribute_not_exists(key_hash)",
    )
    return {"api_key": raw}


@app.delete("/keys/{key_hash}", status_code=204)
def revoke_key(key_hash: str = Path(..., pattern=r"^[0-9a-f]{64}$"),
               account: Account = Depends(current_account), db=Depends(home_db)):
    db.Table(API_KEYS).delete_item(Key={"key_hash": key_hash})


@app.post("/profiles", response_model=ProfileOut, status_code=201)
def create_profile(body: ProfileIn, account: Account = Depends(current_account),
                   db=Depends(regional_db)):
    profile = Profile(tenant_id=account.tenant_id, profile_id=uuid.uuid4().hex,
                      email=body.email, display_name=body.display_name, locale=body.locale)
    db.Table(PROFILES).put_item(Item=profile.to_item(),
                                ConditionExpression="attribute_not_exists(profile_id)")
    return asdict(profile)


@app.get("/profiles", response_model=dict)
def list_profiles(cursor: Optional[str] = Query(None, max_length=512),
                  limit: int = Query(25, ge=1, le=100),
                  account: Account = Depends(current_account), db=Depends(regional_db)):
    kwargs = {"KeyConditionExpression": Key("tenant_id").eq(account.tenant_id), "Limit": limit}
    if cursor:
        start = json.loads(base64.urlsafe_b64decode(cursor))
        if start.get("tenant_id") != account.tenant_id:
            raise HTTPException(status_code=400, detail="Bad cursor")
        kwargs["ExclusiveStartKey"] = start
    resp = db.Table(PROFILES).query(**kwargs)
    nxt = resp.get("LastEvaluatedKey")
    return {
        "items": [ProfileOut(**i).model_dump() for i in resp["Items"]],
        "cursor": base64.urlsafe_b64encode(json.dumps(nxt).encode()).decode() if nxt else None,
    }


@app.get("/profiles/search", response_model=list[ProfileOut])
def search_profiles(name: str = Query(..., min_length=2, max_length=80),
                    account: Account = Depends(current_account), db=Depends(regional_db)):
    resp = db.Table(PROFILES).scan(FilterExpression=Attr("display_name").contains(name),
                                   Limit=200)
    return resp["Items"]


@app.get("/profiles/by-email", response_model=list[ProfileOut])
def profiles_by_email(email: EmailStr, account: Account = Depends(current_account),
                      db=Depends(regional_db)):
    resp = db.Table(PROFILES).query(IndexName="email-index",
                                    KeyConditionExpression=Key("email").eq(email))
    return resp["Items"]


@app.get("/profiles/batch", response_model=list[ProfileOut])
def batch_profiles(ids: str = Query(..., max_length=34 * 25),
                   account: Account = Depends(current_account), db=Depends(regional_db)):
    wanted = [i for i in ids.split(",") if PROFILE_RE.fullmatch(i)]
    if not wanted:
        return []
    table = db.Table(PROFILES)
    resp = table.batch_get_item(
        RequestItems={PROFILES: {"Keys": [profile_key(account, i) for i in wanted]}}
    )
    return resp["Responses"][PROFILES]


@app.get("/profiles/{profile_id}", response_model=ProfileOut)
def get_profile(profile_id: str = PID, account: Account = Depends(current_account),
                db=Depends(regional_db)):
    item = db.Table(PROFILES).get_item(Key=profile_key(account, profile_id)).get("Item")
    if item is None:
        raise not_found()
    return item


@app.get("/tenants/{tenant_id}/profiles/{profile_id}", response_model=ProfileOut)
def get_tenant_profile(tenant_id: str = Path(..., max_length=64), profile_id: str = PID,
                       account: Account = Depends(current_account), db=Depends(regional_db)):
    # Deep links from the admin console carry the tenant; it must be the caller's own.
    if tenant_id != account.tenant_id:
        raise HTTPException(status_code=403, detail="Wrong tenant")
    item = db.Table(PROFILES).get_item(Key=ProfileKey(tenant_id, profile_id)._asdict()).get("Item")
    if item is None:
        raise not_found()
    return item


@app.patch("/profiles/{profile_id}", response_model=ProfileOut)
def update_profile(body: ProfileUpdate, profile_id: str = PID,
                   account: Account = Depends(current_account), db=Depends(regional_db)):
    changes = {**body.model_dump(exclude_unset=True), "updated_at": utcnow()}
    try:
        resp = db.Table(PROFILES).update_item(
            Key=profile_key(account, profile_id),
            UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in changes),
            ConditionExpression="attribute_exists(profile_id)",
            ExpressionAttributeNames={f"#{k}": k for k in changes},
            ExpressionAttributeValues={f":{k}": v for k, v in changes.items()},
            ReturnValues="ALL_NEW",
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise not_found()
        raise
    return resp["Attributes"]


@app.put("/profiles/{profile_id}/preferences", status_code=204)
def put_preferences(body: PreferencesIn, profile_id: str = PID,
                    account: Account = Depends(current_account), db=Depends(replica_db)):
    db.Table(PROFILES).update_item(
        Key=profile_key(account, profile_id),
        UpdateExpression="SET preferences = :p, updated_at = :now",
        ExpressionAttributeValues={":p": body.model_dump(), ":now": utcnow()},
    )


@app.put("/profiles/{profile_id}/contact", status_code=204)
def put_contact(body: ContactIn, profile_id: str = PID,
                account: Account = Depends(current_account), db=Depends(regional_db)):
    try:
        db.Table(PROFILES).update_item(
            Key=ProfileKey(account.tenant_id, body.profile_id)._asdict(),
            UpdateExpression="SET phone = :ph, address = :ad, updated_at = :now",
            ConditionExpression="attribute_exists(profile_id)",
            ExpressionAttributeValues={":ph": body.phone, ":ad": body.address, ":now": utcnow()},
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise not_found()
        raise


@app.post("/profiles/{profile_id}/status", response_model=ProfileOut)
def set_status(body: StatusIn, profile_id: str = PID,
               account: Account = Depends(current_account), db=Depends(regional_db)):
    try:
        resp = db.Table(PROFILES).update_item(
            Key=profile_key(account, profile_id),
            UpdateExpression="SET #st = :s, updated_at = :now",
            ConditionExpression="attribute_exists(profile_id)",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={":s": body.status, ":now": utcnow()},
            ReturnValues="ALL_NEW",
        )
    except ClientError as e:
        raise HTTPException(status_code=409, detail=e.response["Error"]["Message"])
    return resp["Attributes"]


@app.delete("/profiles/{profile_id}", status_code=204)
def delete_profile(profile_id: str = PID, account: Account = Depends(current_account),
                   db=Depends(replica_db)):
    # Global tables replicate the delete; only closed profiles may be removed.
    try:
        db.Table(PROFILES).delete_item(
            Key=profile_key(account, profile_id),
            ConditionExpression="#st = :closed",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={":closed": "closed"},
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=409, detail="Close the profile first")
        raise


@app.post("/profiles/{profile_id}/sessions", status_code=201)
def open_session(body: SessionIn, profile_id: str = PID,
                 account: Account = Depends(current_account), db=Depends(regional_db)):
    session_id = secrets.token_hex(16)
    key = SessionKey(f"{account.tenant_id}#{profile_id}", session_id)
    db.Table(SESSIONS).put_item(
        Item={**key._asdict(), "device": body.device, "status": "active",
              "created_at": utcnow(), "expires_at": body.expires_at},
        ConditionExpression="attribute_not_exists(session_id)",
    )
    return {"session_id": session_id, "expires_at": body.expires_at}


@app.post("/profiles/{profile_id}/sessions/{session_id}/touch", status_code=204)
def touch_session(profile_id: str = PID, session_id: str = Path(..., pattern=r"^[0-9a-f]{32}$"),
                  account: Account = Depends(current_account), db=Depends(regional_db)):
    key = SessionKey(f"{account.tenant_id}#{profile_id}", session_id)
    try:
        db.Table(SESSIONS).update_item(
            Key=key._asdict(),
            UpdateExpression="SET expires_at = :exp, last_seen = :now",
            ConditionExpression="attribute_exists(session_id) AND status = :active",
            ExpressionAttributeValues={":exp": int(time.time()) + 3600, ":now": utcnow(),
                                       ":active": "active"},
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="Session not found")
        raise


@app.post("/profiles/{profile_id}/avatar", status_code=201)
async def upload_avatar(profile_id: str = PID, file: UploadFile = File(...),
                        account: Account = Depends(current_account), db=Depends(regional_db)):
    data = await file.read()
    if len(data) > MAX_AVATAR:
        raise HTTPException(status_code=413, detail="Avatar too large")
    meta = AvatarMeta(avatar_id=uuid.uuid4().hex, tenant_id=account.tenant_id,
                      profile_id=profile_id, content_type=file.content_type or "image/png",
                      size=len(data), sha256=hashlib.sha256(data).hexdigest())
    db.Table(AVATARS).put_item(Item=asdict(meta),
                               ConditionExpression="attribute_not_exists(avatar_id)")
    db.Table(PROFILES).update_item(
        Key=profile_key(account, profile_id),
        UpdateExpression="SET avatar_id = :a, updated_at = :now ADD avatar_count :one",
        ConditionExpression="attribute_exists(profile_id)",
        ExpressionAttributeValues={":a": meta.avatar_id, ":now": utcnow(), ":one": 1},
    )
    return {"avatar_id": meta.avatar_id, "size": meta.size}


@app.post("/profiles/{profile_id}/avatar/adopt", status_code=204)
def adopt_avatar(body: AdoptIn, profile_id: str = PID,
                 account: Account = Depends(current_account), db=Depends(regional_db)):
    # Re-use an avatar uploaded for another profile: move it here in one transaction.
    db.meta.client.transact_write_items(
        TransactItems=[
            {"Update": {
                "TableName": AVATARS,
                "Key": {"avatar_id": body.avatar_id},
                "UpdateExpression": "SET profile_id = :p, tenant_id = :t",
                "ConditionExpression": "attribute_exists(avatar_id)",
                "ExpressionAttributeValues": {":p": profile_id, ":t": account.tenant_id},
            }},
            {"Update": {
                "TableName": PROFILES,
                "Key": profile_key(account, profile_id),
                "UpdateExpression": "SET avatar_id = :a, updated_at = :now",
                "ConditionExpression": "attribute_exists(profile_id)",
                "ExpressionAttributeValues": {":a": body.avatar_id, ":now": utcnow()},
            }},
        ]
    )


@app.get("/avatars/{avatar_id}")
def get_avatar(avatar_id: str, account: Account = Depends(current_account),
               db=Depends(regional_db)):
    item = db.Table(AVATARS).get_item(Key={"avatar_id": avatar_id}).get("Item")
    if item is None:
        raise HTTPException(status_code=404, detail="Avatar not found")
    if item["tenant_id"] != account.tenant_id:
        raise HTTPException(status_code=403, detail="Avatar belongs to another tenant")
    return item


@app.post("/admin/tenants/{tenant_id}/profiles/{profile_id}/plan", response_model=ProfileOut)
def change_plan(body: PlanChange, tenant_id: str = Path(..., max_length=64),
                profile_id: str = PID, admin: Account = Depends(require_admin),
                db=Depends(regional_db)):
    try:
        resp = db.Table(PROFILES).update_item(
            Key=ProfileKey(tenant_id, profile_id)._asdict(),
            UpdateExpression="SET #p = :new, updated_at = :now",
            ConditionExpression="#p = :expected",
            ExpressionAttributeNames={"#p": "plan"},
            ExpressionAttributeValues={":new": body.plan, ":expected": body.expected_plan,
                                       ":now": utcnow()},
            ReturnValues="ALL_NEW",
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=409, detail="Plan changed meanwhile")
        raise
    return resp["Attributes"]


@app.get("/admin/profiles/suspended", response_model=list[ProfileOut])
def suspended_profiles(admin: Account = Depends(require_admin), db=Depends(regional_db)):
    table = db.Table(PROFILES)
    kwargs = {"FilterExpression": Attr("status").eq("suspended")}
    items: list[dict] = []
    while True:
        resp = table.scan(**kwargs)
        items.extend(resp["Items"])
        if "LastEvaluatedKey" not in resp:
            return items
        kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]
