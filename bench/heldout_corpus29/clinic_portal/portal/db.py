"""Thin repository layer over boto3 Table resources."""
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Tuple

import boto3

from .settings import get_settings

_settings = get_settings()
dynamodb = boto3.resource(
    "dynamodb",
    region_name=_settings.aws_region,
    endpoint_url=_settings.dynamodb_endpoint,
)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Repository:
    table_name: str = ""
    key_names: Tuple[str, ...] = ()

    def __init__(self, resource=None):
        self.table = (resource or dynamodb).Table(_settings.table(self.table_name))

    def get(self, **key: Any) -> Optional[Dict[str, Any]]:
        return self.table.get_item(Key=key).get("Item")

    def create(self, item: Dict[str, Any]) -> Dict[str, Any]:
        self.table.put_item(
            Item=item,
            ConditionExpression="attribute_not_exists(#pk)",
            ExpressionAttributeNames={"#pk": self.key_names[0]},
        )
        return item

    def update(
        self,
        key: Dict[str, Any],
        changes: Dict[str, Any],
        condition: Optional[str] = None,
        names: Optional[Dict[str, str]] = None,
        values: Optional[Dict[str, Any]] = None,
    ) -> Dict[str, Any]:
        attr_names = {f"#f{i}": name for i, name in enumerate(changes)}
        attr_values = {f":f{i}": value for i, value in enumerate(changes.values())}
        params: Dict[str, Any] = {
            "Key": key,
            "UpdateExpression": "SET " + ", ".join(f"#f{i} = :f{i}" for i in range(len(changes))),
            "ExpressionAttributeNames": {**attr_names, **(names or {})},
            "ExpressionAttributeValues": {**attr_values, **(values or {})},
            "ReturnValues": "ALL_NEW",
        }
        if condition:
            params["ConditionExpression"] = condition
        return self.table.update_item(**params)["Attributes"]

    def delete(self, key: Dict[str, Any], condition: str, values: Dict[str, Any]) -> None:
        self.table.delete_item(
            Key=key, ConditionExpression=condition, ExpressionAttributeValues=values
        )

    def query_all(self, **params: Any) -> List[Dict[str, Any]]:
        items: List[Dict[str, Any]] = []
        while True:
            page = self.table.query(**params)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                return items
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
