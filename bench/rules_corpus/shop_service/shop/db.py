from functools import lru_cache
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    orders_table: str = "shop-orders"
    products_table: str = "shop-products"
    region: str = "eu-west-1"


@lru_cache
def get_settings() -> Settings:
    return Settings()


class DynamoRepository:
    """Base repository: one table, plain dict items."""

    def __init__(self, table_name: str) -> None:
        self.table = boto3.resource("dynamodb", region_name=get_settings().region).Table(table_name)

    def get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        return self.table.get_item(Key=key).get("Item")

    def put(self, item: dict[str, Any]) -> None:
        self.table.put_item(Item=item)

    def delete(self, key: dict[str, Any]) -> None:
        self.table.delete_item(Key=key)


class OrderRepository(DynamoRepository):
    def __init__(self) -> None:
        super().__init__(get_settings().orders_table)

    def for_customer(self, customer_id: str) -> list[dict[str, Any]]:
        resp = self.table.query(
            IndexName="customer-index", KeyConditionExpression=Key("customer_id").eq(customer_id)
        )
        return resp["Items"]

    def set_status(self, order_id: str, status: str) -> dict[str, Any]:
        resp = self.table.update_item(
            Key={"order_id": order_id},
            UpdateExpression="SET #s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": status},
            ReturnValues="ALL_NEW",
        )
        return resp["Attributes"]


class ProductRepository(DynamoRepository):
    def __init__(self) -> None:
        super().__init__(get_settings().products_table)

    def adjust_stock(self, sku: str, delta: int) -> None:
        self.table.update_item(
            Key={"sku": sku},
            UpdateExpression="SET stock = stock + :d",
            ConditionExpression="stock + :d >= :zero",
            ExpressionAttributeValues={":d": delta, ":zero": 0},
        )


def get_orders() -> OrderRepository:
    return OrderRepository()


def get_products() -> ProductRepository:
    return ProductRepository()
