import os
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

client = boto3.client("dynamodb")
TABLE = os.environ.get("TABLE", "saas-main")
_ser, _de = TypeSerializer(), TypeDeserializer()


class StoreError(Exception):
    pass


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _de.deserialize(v) for k, v in item.items()}


def get(pk: str, sk: str) -> dict[str, Any] | None:
    try:
        resp = client.get_item(TableName=TABLE, Key={"pk": {"S": pk}, "sk": {"S": sk}})
    except ClientError as exc:
        raise StoreError(f"get failed: {exc}") from exc
    return _plain(resp["Item"]) if "Item" in resp else None


def put(item: dict[str, Any]) -> None:
    try:
        client.put_item(TableName=TABLE, Item={k: _ser.serialize(v) for k, v in item.items()})
    except ClientError as exc:
        raise StoreError(f"put failed: {exc}") from exc


def update(pk: str, sk: str, changes: dict[str, Any]) -> None:
    names = {f"#{k}": k for k in changes}
    values = {f":{k}": _ser.serialize(v) for k, v in changes.items()}
    client.update_item(
        TableName=TABLE,
        Key={"pk": {"S": pk}, "sk": {"S": sk}},
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in changes),
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def list_prefix(pk: str, prefix: str, sort_key: str = "sk") -> list[dict[str, Any]]:
    resp = client.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
        ProjectionExpression=sort_key,
        ExpressionAttributeValues={":pk": {"S": pk}, ":p": {"S": prefix}},
    )
    return [_plain(i) for i in resp["Items"]]
