"""Per-request regional DynamoDB handles and API-key authentication."""
import hashlib
import os
from dataclasses import dataclass
from typing import NamedTuple

import boto3
from fastapi import Depends, Header, HTTPException, Security
from fastapi.security import APIKeyHeader

ALLOWED_REGIONS = frozenset({"eu-west-1", "us-east-1", "ap-southeast-2"})
DEFAULT_REGION = os.environ.get("HOME_REGION", "eu-west-1")

PROFILES = os.environ.get("PROFILES_TABLE", "profiles")        # global table
SESSIONS = os.environ.get("SESSIONS_TABLE", "profile-sessions")  # global table, TTL on expires_at
AVATARS = os.environ.get("AVATARS_TABLE", "avatars")            # global table
API_KEYS = os.environ.get("API_KEYS_TABLE", "api-keys")          # home region only

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


class ProfileKey(NamedTuple):
    tenant_id: str
    profile_id: str


class SessionKey(NamedTuple):
    profile_key: str   # "{tenant_id}#{profile_id}"
    session_id: str


@dataclass
class Account:
    key_hash: str
    tenant_id: str
    role: str = "member"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def regional_db(x_region: str = Header(DEFAULT_REGION, alias="X-Region")):
    """Replicas are read and written in the caller's nearest region."""
    if x_region not in ALLOWED_REGIONS:
        raise HTTPException(status_code=400, detail="Unsupported region")
    return boto3.Session(region_name=x_region).resource("dynamodb")


def replica_db(x_region: str = Header(DEFAULT_REGION, alias="X-Region")):
    # Used by the maintenance routes, which ops call from scripts with their own region.
    return boto3.Session(region_name=x_region).resource("dynamodb")


_home = boto3.Session(region_name=DEFAULT_REGION).resource("dynamodb")


def current_account(api_key: str | None = Security(api_key_header)) -> Account:
    if not api_key:
        raise HTTPException(status_code=401, detail="Missing API key")
    key_hash = hashlib.sha256(api_key.encode()).hexdigest()
    item = _home.Table(API_KEYS).get_item(Key={"key_hash": key_hash}).get("Item")
    if item is None or item.get("revoked"):
        raise HTTPException(status_code=401, detail="Invalid API key")
    return Account(key_hash=key_hash, tenant_id=item["tenant_id"], role=item.get("role", "member"))


def require_admin(account: Account = Depends(current_account)) -> Account:
    if not account.is_admin:
        raise HTTPException(status_code=403, detail="Admin key required")
    return account


def home_db():
    return _home
