"""One service object per entity, created once at import time and used by the routes."""
import secrets
from datetime import datetime, timedelta, timezone
from uuid import uuid4

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from .db import get_settings, get_table, org_pk, utcnow


class NotFound(Exception):
    pass


def _failed_condition(exc: ClientError) -> bool:
    return exc.response["Error"]["Code"] in ("ConditionalCheckFailedException", "TransactionCanceledException")


# request field -> attribute: the only attributes PATCH /orgs/{id} may change
EDITABLE_ORG_FIELDS = {"name": "display_name", "description": "description", "plan": "plan"}


class _Service:
    @property
    def table(self):
        return get_table()


class OrgService(_Service):
    def create(self, owner_uid: str, owner_email: str | None, name: str, description: str) -> dict:
        org_id = uuid4().hex
        now = utcnow()
        org = {"PK": org_pk(org_id), "SK": "META", "org_id": org_id, "display_name": name,
               "description": description, "plan": "free", "owner_uid": owner_uid, "created_at": now}
        owner = {"PK": org_pk(org_id), "SK": f"MEMBER#{owner_uid}", "uid": owner_uid,
                 "email": owner_email, "role": "owner", "org_id": org_id, "joined_at": now}
        self.table.meta.client.transact_write_items(TransactItems=[
            {"Put": {"TableName": self.table.name, "Item": org,
                     "ConditionExpression": "attribute_not_exists(PK)"}},
            {"Put": {"TableName": self.table.name, "Item": owner,
                     "ConditionExpression": "attribute_not_exists(PK)"}},
        ])
        return org

    def get(self, org_id: str) -> dict:
        item = self.table.get_item(Key={"PK": org_pk(org_id), "SK": "META"}).get("Item")
        if item is None or "deleted_at" in item:
            raise NotFound("organization")
        return item

    def update(self, org_id: str, changes: dict) -> dict:
        names = {"#upd": "updated_at"}
        values = {":upd": utcnow()}
        sets = ["#upd = :upd"]
        for i, (field, value) in enumerate(changes.items()):
            attr = EDITABLE_ORG_FIELDS.get(field)
            if attr is None:
                continue
            names[f"#fld{i}"] = attr
            values[f":val{i}"] = value
            sets.append(f"#fld{i} = :val{i}")
        try:
            resp = self.table.update_item(
                Key={"PK": org_pk(org_id), "SK": "META"},
                UpdateExpression="SET " + ", ".join(sets),
                ConditionExpression=Attr("PK").exists() & Attr("deleted_at").not_exists(),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if _failed_condition(exc):
                raise NotFound("organization") from exc
            raise
        return resp["Attributes"]


class MemberService(_Service):
    def get(self, org_id: str, uid: str) -> dict | None:
        return self.table.get_item(Key={"PK": org_pk(org_id), "SK": f"MEMBER#{uid}"}).get("Item")

    def require(self, org_id: str, uid: str, roles: tuple[str, ...] = ("owner", "admin", "member")) -> dict:
        member = self.get(org_id, uid)
        if member is None or member.get("role") not in roles:
            raise NotFound("organization")
        return member

    def list(self, org_id: str) -> list[dict]:
        resp = self.table.query(KeyConditionExpression=Key("PK").eq(org_pk(org_id)) & Key("SK").begins_with("MEMBER#"))
        return resp["Items"]

    def add(self, org_id: str, uid: str, email: str | None, role: str) -> None:
        self.table.put_item(Item={"PK": org_pk(org_id), "SK": f"MEMBER#{uid}", "uid": uid, "email": email,
                                  "role": role, "org_id": org_id, "joined_at": utcnow()})

    def set_role(self, org_id: str, uid: str, role: str) -> dict:
        resp = self.table.update_item(
            Key={"PK": org_pk(org_id), "SK": f"MEMBER#{uid}"},
            UpdateExpression="SET role = :r, updated_at = :now",
            ExpressionAttributeValues={":r": role, ":now": utcnow()},
            ReturnValues="ALL_NEW",
        )
        return resp["Attributes"]

    def leave(self, org_id: str, uid: str) -> None:
        self.table.meta.client.delete_item(
            TableName=get_settings().table_name,
            Key={"PK": {"S": org_pk(org_id)}, "SK": {"S": f"MEMBER#{uid}"}},
            ConditionExpression="attribute_exists(PK) AND #r <> :owner",
            ExpressionAttributeNames={"#r": "role"},
            ExpressionAttributeValues={":owner": "owner"},
        )


class InviteService(_Service):
    def create(self, org_id: str, inviter_uid: str, email: str, role: str) -> dict:
        token = secrets.token_urlsafe(24)
        expires = datetime.now(timezone.utc) + timedelta(hours=get_settings().invite_ttl_hours)
        item = {"PK": org_pk(org_id), "SK": f"INVITE#{token}", "token": token, "org_id": org_id,
                "email": email.lower(), "role": role, "status": "pending", "invited_by": inviter_uid,
                "expires_at": expires.isoformat(timespec="seconds")}
        self.table.put_item(Item=item, ConditionExpression=Attr("PK").not_exists())
        return item

    def claim(self, org_id: str, token: str, uid: str, email: str | None) -> dict:
        try:
            resp = self.table.update_item(
                Key={"PK": org_pk(org_id), "SK": f"INVITE#{token}"},
                UpdateExpression="SET #s = :accepted, accepted_by = :uid, accepted_at = :now",
                ConditionExpression=(Attr("status").eq("pending") & Attr("email").eq((email or "").lower())
                                     & Attr("expires_at").gt(utcnow())),
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":accepted": "accepted", ":uid": uid, ":now": utcnow()},
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if _failed_condition(exc):
                raise NotFound("invitation") from exc
            raise
        return resp["Attributes"]

    def revoke(self, org_id: str, token: str) -> None:
        self.table.delete_item(Key={"PK": org_pk(org_id), "SK": f"INVITE#{token}"},
                               ConditionExpression=Attr("status").eq("pending"))


class DocService(_Service):
    def get(self, org_id: str, doc_id: str) -> dict | None:
        return self.table.get_item(Key={"PK": org_pk(org_id), "SK": f"DOC#{doc_id}"}).get("Item")

    def list(self, org_id: str, fields: str | None = None) -> list[dict]:
        kwargs = {"KeyConditionExpression": Key("PK").eq(org_pk(org_id)) & Key("SK").begins_with("DOC#"),
                  "FilterExpression": Attr("deleted_at").not_exists()}
        if fields:
            kwargs["ProjectionExpression"] = fields
        return self.table.query(**kwargs)["Items"]

    def edit(self, org_id: str, doc_id: str, author_uid: str, title: str, body: str) -> dict:
        resp = self.table.update_item(
            Key={"PK": org_pk(org_id), "SK": f"DOC#{doc_id}"},
            UpdateExpression="SET #t = :t, #b = :b, updated_at = :now",
            ConditionExpression=Attr("author_uid").eq(author_uid) & Attr("deleted_at").not_exists(),
            ExpressionAttributeNames={"#t": "title", "#b": "body"},
            ExpressionAttributeValues={":t": title, ":b": body, ":now": utcnow()},
            ReturnValues="ALL_NEW",
        )
        return resp["Attributes"]

    def move(self, doc: dict, target_org: str, author_uid: str) -> dict:
        moved = {**doc, "PK": org_pk(target_org), "org_id": target_org, "moved_at": utcnow()}
        self.table.meta.client.transact_write_items(TransactItems=[
            {"Delete": {"TableName": self.table.name, "Key": {"PK": doc["PK"], "SK": doc["SK"]},
                        "ConditionExpression": "author_uid = :me AND attribute_not_exists(deleted_at)",
                        "ExpressionAttributeValues": {":me": author_uid}}},
            {"Put": {"TableName": self.table.name, "Item": moved,
                     "ConditionExpression": "attribute_not_exists(PK)"}},
        ])
        return moved


orgs = OrgService()
members = MemberService()
invites = InviteService()
docs = DocService()
