"""DynamoDB access shared by the HTTP API and the stream / queue consumers."""
from datetime import datetime, timezone

import boto3
from boto3.dynamodb.conditions import Attr, Key

from . import config

_dynamodb = boto3.resource("dynamodb")

assets = _dynamodb.Table(config.ASSETS_TABLE)
audit = _dynamodb.Table(config.AUDIT_TABLE)
tenants = _dynamodb.Table(config.TENANTS_TABLE)
catalog = _dynamodb.Table(config.CATALOG_TABLE)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


def get_tenant(tenant_id: str) -> dict | None:
    return tenants.get_item(Key={"tenant_id": tenant_id}).get("Item")


def get_asset(tenant_id: str, asset_id: str) -> dict | None:
    resp = assets.get_item(Key={"tenant_id": tenant_id, "asset_id": asset_id})
    return resp.get("Item")


def query_assets(tenant_id: str, limit: int, start_key: dict | None = None, **extra) -> dict:
    kwargs = {"KeyConditionExpression": Key("tenant_id").eq(tenant_id), "Limit": limit, **extra}
    if start_key:
        kwargs["ExclusiveStartKey"] = start_key
    return assets.query(**kwargs)


def create_asset(item: dict) -> None:
    assets.put_item(Item=item, ConditionExpression="attribute_not_exists(asset_id)")


def bump_asset_count(tenant_id: str, delta: int) -> None:
    tenants.update_item(
        Key={"tenant_id": tenant_id},
        UpdateExpression="ADD asset_count :d",
        ConditionExpression="attribute_exists(tenant_id)",
        ExpressionAttributeValues={":d": delta},
    )


def patch_asset(tenant_id: str, asset_id: str, changes: dict, expected_version: int) -> dict:
    names = {"#v": "version", "#u": "updated_at"}
    values = {":expected": expected_version, ":one": 1, ":now": now_iso()}
    sets = ["#v = #v + :one", "#u = :now"]
    for i, (field, value) in enumerate(changes.items()):
        names[f"#f{i}"] = field
        values[f":f{i}"] = value
        sets.append(f"#f{i} = :f{i}")
    resp = assets.update_item(
        Key={"tenant_id": tenant_id, "asset_id": asset_id},
        UpdateExpression="SET " + ", ".join(sets),
        ConditionExpression="#v = :expected",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]


def move_asset(tenant_id: str, asset_id: str, location: str) -> None:
    assets.update_item(
        Key={"tenant_id": tenant_id, "asset_id": asset_id},
        UpdateExpression="SET location = :loc, moved_at = :now",
        ConditionExpression="attribute_exists(asset_id)",
        ExpressionAttributeValues={":loc": location, ":now": now_iso()},
    )


def set_status(tenant_id: str, asset_id: str, status: str, source: str) -> None:
    assets.update_item(
        Key={"tenant_id": tenant_id, "asset_id": asset_id},
        UpdateExpression="SET #s = :s, status_source = :src, updated_at = :now",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": status, ":src": source, ":now": now_iso()},
    )


def retire_asset(tenant_id: str, asset_id: str) -> None:
    assets.update_item(
        Key={"tenant_id": tenant_id, "asset_id": asset_id},
        UpdateExpression="SET #s = :retired, retired_at = :now",
        ConditionExpression="#s IN (:in_service, :maintenance)",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={
            ":retired": "retired",
            ":in_service": "in_service",
            ":maintenance": "maintenance",
            ":now": now_iso(),
        },
    )


def delete_asset(tenant_id: str, asset_id: str) -> None:
    assets.delete_item(Key={"tenant_id": tenant_id, "asset_id": asset_id})


def record_scan(tenant_id: str, asset_id: str, location: str, scanner: str | None) -> None:
    assets.update_item(
        Key={"tenant_id": tenant_id, "asset_id": asset_id},
        UpdateExpression="SET last_seen_location = :loc, last_seen_at = :now, last_scanner = :who",
        ConditionExpression="attribute_exists(asset_id)",
        ExpressionAttributeValues={":loc": location, ":now": now_iso(), ":who": scanner or "anonymous"},
    )


def asset_history(asset_id: str, limit: int) -> list[dict]:
    resp = audit.query(
        KeyConditionExpression=Key("asset_id").eq(asset_id),
        ScanIndexForward=False,
        Limit=limit,
    )
    return resp["Items"]


def transfer_asset(item: dict, source_tenant: str, target_tenant: str) -> None:
    moved = {**item, "tenant_id": target_tenant, "transferred_at": now_iso(), "version": 1}
    assets.meta.client.transact_write_items(
        TransactItems=[
            {
                "Delete": {
                    "TableName": config.ASSETS_TABLE,
                    "Key": {"tenant_id": source_tenant, "asset_id": item["asset_id"]},
                    "ConditionExpression": "attribute_exists(asset_id) AND #s <> :retired",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":retired": "retired"},
                }
            },
            {
                "Put": {
                    "TableName": config.ASSETS_TABLE,
                    "Item": moved,
                    "ConditionExpression": "attribute_not_exists(asset_id)",
                }
            },
        ]
    )


def list_asset_types() -> list[dict]:
    items, kwargs = [], {}
    while True:
        page = catalog.scan(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def stale_assets(cutoff: str) -> list[dict]:
    items, kwargs = [], {"FilterExpression": Attr("last_seen_at").lt(cutoff)}
    while True:
        page = assets.scan(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def suspend_tenant(tenant_id: str, operator: str) -> None:
    tenants.update_item(
        Key={"tenant_id": tenant_id},
        UpdateExpression="SET #s = :suspended, suspended_by = :op, suspended_at = :now",
        ConditionExpression="#s = :active",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={
            ":suspended": "suspended",
            ":active": "active",
            ":op": operator,
            ":now": now_iso(),
        },
    )
