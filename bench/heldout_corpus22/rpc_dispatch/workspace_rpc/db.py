"""DynamoDB access: settings, the aioboto3 client dependency and value helpers."""
import os
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, AsyncIterator

import aioboto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer


@dataclass(frozen=True)
class Settings:
    region: str = os.environ.get("AWS_REGION", "eu-central-1")
    endpoint_url: str | None = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")
    user_pool_id: str = os.environ.get("COGNITO_USER_POOL_ID", "eu-central-1_example")
    app_client_id: str = os.environ.get("COGNITO_APP_CLIENT_ID", "")
    table_prefix: str = os.environ.get("TABLE_PREFIX", "ws-")
    public_base_url: str = os.environ.get("PUBLIC_BASE_URL", "https://notes.example.com")
    jwks_ttl_seconds: int = int(os.environ.get("JWKS_TTL_SECONDS", "3600"))

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"


settings = Settings()

NOTES = f"{settings.table_prefix}notes"
WORKSPACES = f"{settings.table_prefix}workspaces"
MEMBERS = f"{settings.table_prefix}members"
SHARES = f"{settings.table_prefix}shares"

session = aioboto3.Session()
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


async def get_client() -> AsyncIterator[Any]:
    async with session.client(
        "dynamodb", region_name=settings.region, endpoint_url=settings.endpoint_url
    ) as client:
        yield client


def serialize(value: Any) -> dict:
    if isinstance(value, float):
        value = Decimal(str(value))
    return _serializer.serialize(value)


def from_item(item: dict) -> dict:
    out = {}
    for name, value in item.items():
        plain = _deserializer.deserialize(value)
        if isinstance(plain, Decimal):
            plain = int(plain) if plain == plain.to_integral_value() else float(plain)
        out[name] = plain
    return out
