"""fastapi-users wired to a DynamoDB users table through a small custom adapter."""
import os
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from botocore.exceptions import ClientError
from fastapi import Depends, Request
from fastapi_users import BaseUserManager, FastAPIUsers, UUIDIDMixin, schemas
from fastapi_users.authentication import AuthenticationBackend, BearerTransport, JWTStrategy
from fastapi_users.db import BaseUserDatabase

from .db import USERS_TABLE, get_ddb

SECRET = os.environ["JWT_SECRET"]


@dataclass
class User:
    id: uuid.UUID
    email: str
    hashed_password: str
    is_active: bool = True
    is_superuser: bool = False
    is_verified: bool = False
    display_name: str = ""
    extra: Dict[str, Any] = field(default_factory=dict)


class UserRead(schemas.BaseUser[uuid.UUID]):
    display_name: str = ""


class UserCreate(schemas.BaseUserCreate):
    display_name: str = ""


class UserUpdate(schemas.BaseUserUpdate):
    display_name: Optional[str] = None


def _to_item(data: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    item: Dict[str, Dict[str, Any]] = {}
    for key, value in data.items():
        if isinstance(value, bool):
            item[key] = {"BOOL": value}
        elif value is not None:
            item[key] = {"S": str(value)}
    return item


def _from_item(item: Dict[str, Dict[str, Any]]) -> User:
    return User(
        id=uuid.UUID(item["id"]["S"]),
        email=item["email"]["S"],
        hashed_password=item["hashed_password"]["S"],
        is_active=item.get("is_active", {"BOOL": True})["BOOL"],
        is_superuser=item.get("is_superuser", {"BOOL": False})["BOOL"],
        is_verified=item.get("is_verified", {"BOOL": False})["BOOL"],
        display_name=item.get("display_name", {"S": ""})["S"],
    )


class DynamoDBUserDatabase(BaseUserDatabase[User, uuid.UUID]):
    def __init__(self, client, table_name: str = USERS_TABLE):
        self.client = client
        self.table_name = table_name

    async def get(self, id: uuid.UUID) -> Optional[User]:
        resp = await self.client.get_item(
            TableName=self.table_name, Key={"id": {"S": str(id)}}, ConsistentRead=True
        )
        return _from_item(resp["Item"]) if "Item" in resp else None

    async def get_by_email(self, email: str) -> Optional[User]:
        resp = await self.client.query(
            TableName=self.table_name,
            IndexName="email-index",
            KeyConditionExpression="email = :e",
            ExpressionAttributeValues={":e": {"S": email.lower()}},
            Limit=1,
        )
        items = resp.get("Items", [])
        return await self.get(uuid.UUID(items[0]["id"]["S"])) if items else None

    async def create(self, create_dict: Dict[str, Any]) -> User:
        data = {"id": uuid.uuid4(), **create_dict}
        data["email"] = data["email"].lower()
        await self.client.put_item(
            TableName=self.table_name,
            Item=_to_item(data),
            ConditionExpression="attribute_not_exists(id)",
        )
        return _from_item(_to_item(data))

    async def update(self, user: User, update_dict: Dict[str, Any]) -> User:
        names, values, sets = {}, {}, []
        for i, (key, value) in enumerate(update_dict.items()):
            names[f"#a{i}"] = key
            values[f":a{i}"] = _to_item({key: value})[key]
            sets.append(f"#a{i} = :a{i}")
        resp = await self.client.update_item(
            TableName=self.table_name,
            Key={"id": {"S": str(user.id)}},
            UpdateExpression="SET " + ", ".join(sets),
            ConditionExpression="attribute_exists(id)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
        return _from_item(resp["Attributes"])

    async def delete(self, user: User) -> None:
        await self.client.delete_item(
            TableName=self.table_name,
            Key={"id": {"S": str(user.id)}},
            ConditionExpression="attribute_exists(id)",
        )


async def get_user_db(client=Depends(get_ddb)):
    yield DynamoDBUserDatabase(client)


class UserManager(UUIDIDMixin, BaseUserManager[User, uuid.UUID]):
    reset_password_token_secret = SECRET
    verification_token_secret = SECRET

    async def on_after_register(self, user: User, request: Optional[Request] = None):
        print(f"User {user.id} has registered.")


async def get_user_manager(user_db: DynamoDBUserDatabase = Depends(get_user_db)):
    yield UserManager(user_db)


bearer_transport = BearerTransport(tokenUrl="auth/jwt/login")


def get_jwt_strategy() -> JWTStrategy:
    return JWTStrategy(secret=SECRET, lifetime_seconds=3600)


auth_backend = AuthenticationBackend(
    name="jwt",
    transport=bearer_transport,
    get_strategy=get_jwt_strategy,
)

fastapi_users = FastAPIUsers[User, uuid.UUID](get_user_manager, [auth_backend])

current_active_user = fastapi_users.current_user(active=True)
current_superuser = fastapi_users.current_user(active=True, superuser=True)
