from functools import lru_cache
from typing import Any, Generic, TypeVar

import boto3
from pydantic import BaseModel

from .config import get_settings

T = TypeVar("T", bound=BaseModel)


@lru_cache
def get_resource():
    settings = get_settings()
    return boto3.resource("dynamodb", region_name=settings.aws_region,
                          endpoint_url=settings.dynamodb_endpoint)


class BaseRepository(Generic[T]):
    table_setting: str
    model: type[T]

    def __init__(self) -> None:
        self.table = get_resource().Table(getattr(get_settings(), self.table_setting))

    def get(self, **key: Any) -> dict | None:
        return self.table.get_item(Key=key).get("Item")

    def load(self, **key: Any) -> T | None:
        item = self.get(**key)
        return self.model.model_validate(item) if item else None

    def put(self, item: dict, **kwargs: Any) -> None:
        self.table.put_item(Item=item, **kwargs)

    def update(self, key: dict, **kwargs: Any) -> dict:
        response = self.table.update_item(Key=key, ReturnValues="ALL_NEW", **kwargs)
        return response["Attributes"]

    def delete(self, key: dict, **kwargs: Any) -> None:
        self.table.delete_item(Key=key, **kwargs)

    def query(self, **kwargs: Any) -> list[dict]:
        items: list[dict] = []
        while True:
            page = self.table.query(**kwargs)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def scan_all(self, **kwargs: Any) -> list[dict]:
        items: list[dict] = []
        while True:
            page = self.table.scan(**kwargs)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
