from __future__ import annotations

from typing import Any, Generic, Iterator, TypeVar

from boto3.dynamodb.conditions import ConditionBase, Key
from pydantic import BaseModel

from .db import table

T = TypeVar("T", bound=BaseModel)


class DynamoRepository(Generic[T]):
    """Typed access to one DynamoDB table; subclasses set the model and the key."""

    model_cls: type[T]
    table_name: str
    hash_key: str = "id"
    range_key: str | None = None

    def __init__(self) -> None:
        self.table = table(self.table_name)

    def key(self, hash_value: Any, range_value: Any = None) -> dict[str, str]:
        key = {self.hash_key: str(hash_value)}
        if self.range_key is not None:
            key[self.range_key] = str(range_value)
        return key

    def to_item(self, obj: T) -> dict[str, Any]:
        return obj.model_dump(mode="json", exclude_none=True)

    def from_item(self, item: dict[str, Any]) -> T:
        return self.model_cls.model_validate(item)

    def get(self, hash_value: Any, range_value: Any = None) -> T | None:
        resp = self.table.get_item(Key=self.key(hash_value, range_value))
        item = resp.get("Item")
        return self.from_item(item) if item else None

    def put(self, obj: T, *, create_only: bool = False) -> T:
        params: dict[str, Any] = {"Item": self.to_item(obj)}
        if create_only:
            params["ConditionExpression"] = "attribute_not_exists(#pk)"
            params["ExpressionAttributeNames"] = {"#pk": self.hash_key}
        self.table.put_item(**params)
        return obj

    def update_fields(
        self,
        hash_value: Any,
        range_value: Any = None,
        *,
        condition: ConditionBase | None = None,
        **changes: Any,
    ) -> T:
        if not changes:
            raise ValueError("no changes given")
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        assignments = []
        for i, (field, value) in enumerate(changes.items()):
            names[f"#f{i}"] = field
            values[f":f{i}"] = value
            assignments.append(f"#f{i} = :f{i}")
        params: dict[str, Any] = {
            "Key": self.key(hash_value, range_value),
            "UpdateExpression": "SET " + ", ".join(assignments),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "ReturnValues": "ALL_NEW",
        }
        if condition is not None:
            params["ConditionExpression"] = condition
        resp = self.table.update_item(**params)
        return self.from_item(resp["Attributes"])

    def delete(self, hash_value: Any, range_value: Any = None, *, condition: ConditionBase | None = None) -> None:
        params: dict[str, Any] = {"Key": self.key(hash_value, range_value)}
        if condition is not None:
            params["ConditionExpression"] = condition
        self.table.delete_item(**params)

    def query_partition(
        self, hash_value: Any, *, limit: int = 50, start: dict | None = None
    ) -> tuple[list[T], dict | None]:
        params: dict[str, Any] = {
            "KeyConditionExpression": Key(self.hash_key).eq(str(hash_value)),
            "Limit": limit,
        }
        if start:
            params["ExclusiveStartKey"] = start
        resp = self.table.query(**params)
        return [self.from_item(i) for i in resp["Items"]], resp.get("LastEvaluatedKey")

    def scan_all(self, filter_expression: ConditionBase | None = None) -> Iterator[T]:
        params: dict[str, Any] = {}
        if filter_expression is not None:
            params["FilterExpression"] = filter_expression
        while True:
            resp = self.table.scan(**params)
            for item in resp["Items"]:
                yield self.from_item(item)
            if "LastEvaluatedKey" not in resp:
                return
            params["ExclusiveStartKey"] = resp["LastEvaluatedKey"]
