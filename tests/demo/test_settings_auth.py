"""Demo settings and auth: tables with an owner index, tokens that cannot be forged."""

from __future__ import annotations

import time
import uuid

import boto3
import jwt
import pytest

from dynaguard.demo.embedded import EmbeddedDynamoDB
from dynaguard.demo.settings import OWNER_INDEX, PREFIX_ENV, create_tables, table_name
from dynaguard.demo.stack import Stack


def test_create_tables_makes_owner_indexes(
    dynamodb_server: EmbeddedDynamoDB, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a unique table prefix, When one app's tables are created
    monkeypatch.setenv(PREFIX_ENV, f"t-{uuid.uuid4().hex[:8]}-")
    client = boto3.client("dynamodb", **dynamodb_server.client_kwargs())
    names = create_tables(client, "hardened")
    # Then each has its key, and the owned ones an owner index on owner_id
    assert names == [
        table_name("hardened", t) for t in ("users", "projects", "notes", "attachments")
    ]
    notes = client.describe_table(TableName=table_name("hardened", "notes"))["Table"]
    assert notes["KeySchema"] == [{"AttributeName": "note_id", "KeyType": "HASH"}]
    (index,) = notes["GlobalSecondaryIndexes"]
    assert index["IndexName"] == OWNER_INDEX
    assert index["KeySchema"] == [{"AttributeName": "owner_id", "KeyType": "HASH"}]
    users = client.describe_table(TableName=table_name("hardened", "users"))["Table"]
    assert users.get("GlobalSecondaryIndexes", []) == []


@pytest.mark.parametrize("app", ["vulnerable", "hardened"])
def test_forged_and_expired_tokens_are_refused(stack: Stack, connect, app: str) -> None:
    anon = connect(stack.apps[app])
    forged = jwt.encode(
        {"sub": "alice", "exp": int(time.time()) + 60}, "a-guessed-secret-" * 3, "HS256"
    )
    now = int(time.time())
    for token in (forged, "not-a-jwt"):
        resp = anon.get("/notes", headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 401, token
    assert anon.get("/notes").status_code == 401
    # An expired token signed with the real secret is refused too.
    secret = stack.env["DYNAGUARD_DEMO_JWT_SECRET"]
    expired = jwt.encode({"sub": "alice", "iat": now - 7200, "exp": now - 3600}, secret, "HS256")
    assert anon.get("/notes", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    valid = jwt.encode({"sub": "alice", "iat": now, "exp": now + 60}, secret, "HS256")
    assert anon.get("/notes", headers={"Authorization": f"Bearer {valid}"}).status_code == 200
