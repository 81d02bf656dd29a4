from __future__ import annotations

import os

import boto3
from boto3.dynamodb.types import TypeDeserializer

REGION = os.environ.get("AWS_REGION", "eu-west-1")

DOCS_TABLE = os.environ.get("DOCS_TABLE", "documents")
ACL_TABLE = os.environ.get("ACL_TABLE", "document-acl")
VERSIONS_TABLE = os.environ.get("VERSIONS_TABLE", "document-versions")
IDEMPOTENCY_TABLE = os.environ.get("IDEMPOTENCY_TABLE", "idempotency-keys")
SHARES_TABLE = os.environ.get("SHARES_TABLE", "document-shares")

client = boto3.client("dynamodb", region_name=REGION)
resource = boto3.resource("dynamodb", region_name=REGION)

docs_table = resource.Table(DOCS_TABLE)
acl_table = resource.Table(ACL_TABLE)
idempotency_table = resource.Table(IDEMPOTENCY_TABLE)

_deser = TypeDeserializer()


def from_ddb(item: dict) -> dict:
    return {k: _deser.deserialize(v) for k, v in item.items()}
