from typing import Any, Generic, TypeVar

from .config import settings
from .db import from_item, to_item

KeyT = TypeVar("KeyT", bound=dict)


class CRUDBase(Generic[KeyT]):
    """Generic get/create/update/remove over one table of the low-level client."""

    def __init__(self, table_name: str, hash_key: str):
        self.table_name = table_name
        self.hash_key = hash_key

    def get(self, db: Any, key: KeyT) -> dict[str, Any] | None:
        resp = db.get_item(TableName=self.table_name, Key=to_item(key))
        return from_item(resp.get("Item"))

    def create(self, db: Any, obj_in: dict[str, Any]) -> dict[str, Any]:
        db.put_item(
            TableName=self.table_name,
            Item=to_item(obj_in),
            ConditionExpression="attribute_not_exists(#pk)",
            ExpressionAttributeNames={"#pk": self.hash_key},
        )
        return obj_in

    def update(self, db: Any, key: KeyT, obj_in: dict[str, Any], condition: str | None = None):
        names = {f"#f{i}": field for i, field in enumerate(obj_in)}
        values = {f":v{i}": value for i, value in enumerate(obj_in.values())}
        expression = "SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(obj_in)))
        extra = {"ConditionExpression": condition} if condition else {}
        resp = db.update_item(
            TableName=self.table_name,
            Key=to_item(key),
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_item(values),
            ReturnValues="ALL_NEW",
            **extra,
        )
        return from_item(resp.get("Attributes"))

    def remove(self, db: Any, key: KeyT, condition: str) -> None:
        db.delete_item(TableName=self.table_name, Key=to_item(key), ConditionExpression=condition)


crud_user: CRUDBase[dict] = CRUDBase(settings.tables.users, "username")
crud_shelf: CRUDBase[dict] = CRUDBase(settings.tables.shelves, "owner")
