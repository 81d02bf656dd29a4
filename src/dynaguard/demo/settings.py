"""Demo settings from the environment: table names, demo users, the token secret.

The apps read the standard AWS settings (AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION,
credentials) through boto3 itself; pointing them at real DynamoDB is configuration:

    python3 -c 'import boto3; from dynaguard.demo.settings import create_tables;
                create_tables(boto3.client("dynamodb"), "hardened")'
    DYNAGUARD_DEMO_JWT_SECRET=... uvicorn dynaguard.demo.hardened.app:app

with DYNAGUARD_DEMO_TABLE_PREFIX (default "dynaguard-demo-") naming the tables.
"""

from __future__ import annotations

import functools
import os
import secrets
from dataclasses import dataclass
from typing import Any

from dynaguard.demo.embedded import create_table

# Prefix of every demo table; the runner and the tests set a unique one per run.
PREFIX_ENV = "DYNAGUARD_DEMO_TABLE_PREFIX"
SECRET_ENV = "DYNAGUARD_DEMO_JWT_SECRET"
DEFAULT_PREFIX = "dynaguard-demo-"
OWNER_INDEX = "owner-index"

# Demo identities: the passwords are public on purpose (printed by --keep-running).
USERS: dict[str, str] = {"alice": "alice-demo-pw", "bob": "bob-demo-pw", "admin": "admin-demo-pw"}
ROLES: dict[str, str] = {"alice": "member", "bob": "member", "admin": "admin"}


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One table of a demo app: its short name, hash key and whether it has an owner index."""

    name: str
    key: str
    owner_index: bool


TABLES = (
    TableSpec("users", "username", False),
    TableSpec("projects", "project_id", True),
    TableSpec("notes", "note_id", True),
    TableSpec("attachments", "attachment_id", True),
)


def table_name(app: str, table: str) -> str:
    """`<prefix><app>-<table>`, e.g. dynaguard-demo-vulnerable-notes."""
    return f"{os.environ.get(PREFIX_ENV, DEFAULT_PREFIX)}{app}-{table}"


def region() -> str:
    """The AWS region from the standard settings (us-east-1 when none is set)."""
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


@functools.cache
def jwt_secret() -> str:
    """The token signing secret: from the environment, else random for this process."""
    return os.environ.get(SECRET_ENV) or secrets.token_urlsafe(32)


def create_tables(client: Any, app: str) -> list[str]:
    """Create one app's tables (with the owner index) through a boto3 client; return names."""
    names: list[str] = []
    for spec in TABLES:
        name = table_name(app, spec.name)
        index = (OWNER_INDEX, "owner_id") if spec.owner_index else None
        create_table(client, name, hash_key=spec.key, owner_index=index)
        names.append(name)
    return names


def profile_item(username: str) -> dict[str, str | int]:
    """The stored profile of a demo user, internal fields included (as a real app keeps them)."""
    return {
        "username": username,
        "owner_id": username,
        "version": 1,
        "display_name": username.capitalize(),
        "email": f"{username}@example.test",
        "role": ROLES[username],
        # Internal state that must never reach a client (DG209 on the vulnerable app).
        "password_reset_token": secrets.token_hex(16),
        "internal_risk_score": "0.12",
    }
