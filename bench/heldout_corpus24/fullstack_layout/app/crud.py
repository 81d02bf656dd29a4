import uuid
from datetime import datetime, timezone
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from mypy_boto3_dynamodb.service_resource import Table

from app.core.security import get_password_hash, verify_password
from app.models import ItemCreate, ItemUpdate, User, UserCreate, UserUpdate, UserUpdateMe


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def create_user(*, session: Table, user_create: UserCreate) -> User:
    db_obj = user_create.model_dump(exclude={"password"})
    db_obj.update(
        id=str(uuid.uuid4()),
        entity="USER",
        hashed_password=get_password_hash(user_create.password),
        created_at=_now(),
    )
    session.put_item(Item=db_obj, ConditionExpression="attribute_not_exists(id)")
    return User.model_validate(db_obj)


def update_user(
    *, session: Table, db_user: User, user_in: UserUpdate | UserUpdateMe
) -> User:
    user_data = user_in.model_dump(exclude_unset=True)
    if "password" in user_data:
        password = user_data.pop("password")
        if password:
            user_data["hashed_password"] = get_password_hash(password)
    if not user_data:
        return db_user
    session.update_item(
        Key={"id": str(db_user.id)},
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in user_data),
        ConditionExpression="attribute_exists(id)",
        ExpressionAttributeNames={f"#{k}": k for k in user_data},
        ExpressionAttributeValues={f":{k}": v for k, v in user_data.items()},
    )
    return db_user.model_copy(update=user_data)


def get_user(*, session: Table, user_id: uuid.UUID | str) -> User | None:
    item = session.get_item(Key={"id": str(user_id)}).get("Item")
    if not item or item.get("entity") != "USER":
        return None
    return User.model_validate(item)


def get_user_by_email(*, session: Table, email: str) -> User | None:
    resp = session.query(
        IndexName="email-index",
        KeyConditionExpression=Key("email").eq(email),
        Limit=1,
    )
    items = resp["Items"]
    return User.model_validate(items[0]) if items else None


def authenticate(*, session: Table, email: str, password: str) -> User | None:
    db_user = get_user_by_email(session=session, email=email)
    if not db_user:
        return None
    if not verify_password(password, db_user.hashed_password):
        return None
    return db_user


def scan_entities(*, session: Table, entity: str) -> list[dict[str, Any]]:
    kwargs: dict[str, Any] = {"FilterExpression": Attr("entity").eq(entity)}
    items: list[dict[str, Any]] = []
    while True:
        resp = session.scan(**kwargs)
        items.extend(resp["Items"])
        if "LastEvaluatedKey" not in resp:
            return items
        kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]


def get_items_by_owner(*, session: Table, owner_id: uuid.UUID) -> list[dict[str, Any]]:
    kwargs: dict[str, Any] = {
        "IndexName": "owner-index",
        "KeyConditionExpression": Key("owner_id").eq(str(owner_id)),
        "ScanIndexForward": False,
    }
    items: list[dict[str, Any]] = []
    while True:
        resp = session.query(**kwargs)
        items.extend(resp["Items"])
        if "LastEvaluatedKey" not in resp:
            return items
        kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]


def get_item(*, session: Table, item_id: uuid.UUID) -> dict[str, Any] | None:
    item = session.get_item(Key={"id": str(item_id)}).get("Item")
    if not item or item.get("entity") != "ITEM":
        return None
    return item


def create_item(
    *, session: Table, item_in: ItemCreate, owner_id: uuid.UUID
) -> dict[str, Any]:
    db_item = {
        "id": str(uuid.uuid4()),
        "entity": "ITEM",
        "owner_id": str(owner_id),
        "status": "active",
        "created_at": _now(),
        **item_in.model_dump(mode="json", exclude_none=True),
    }
    session.put_item(Item=db_item, ConditionExpression="attribute_not_exists(id)")
    return db_item


def update_item(
    *, session: Table, db_item: dict[str, Any], item_in: ItemUpdate
) -> dict[str, Any]:
    update_dict = item_in.model_dump(exclude_unset=True)
    db_item = {**db_item, **update_dict, "updated_at": _now()}
    session.put_item(Item=db_item)
    return db_item


def set_item_status(
    *, session: Table, item_id: uuid.UUID, status: str
) -> dict[str, Any]:
    resp = session.update_item(
        Key={"id": str(item_id)},
        UpdateExpression="SET #st = :st, updated_at = :now",
        ConditionExpression="attribute_exists(id)",
        ExpressionAttributeNames={"#st": "status"},
        ExpressionAttributeValues={":st": status, ":now": _now()},
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]
