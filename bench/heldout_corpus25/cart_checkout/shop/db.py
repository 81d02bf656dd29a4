from dataclasses import dataclass
from typing import Any, AsyncIterator

import aioboto3

from .settings import get_settings

settings = get_settings()
session = aioboto3.Session(region_name=settings.aws_region)


@dataclass
class Tables:
    resource: Any
    products: Any
    carts: Any
    orders: Any
    coupons: Any
    refunds: Any
    returns: Any

    @property
    def client(self) -> Any:
        return self.resource.meta.client


async def get_tables() -> AsyncIterator[Tables]:
    async with session.resource(
        "dynamodb", endpoint_url=settings.dynamodb_endpoint
    ) as ddb:
        yield Tables(
            resource=ddb,
            products=await ddb.Table(settings.products_table),
            carts=await ddb.Table(settings.carts_table),
            orders=await ddb.Table(settings.orders_table),
            coupons=await ddb.Table(settings.coupons_table),
            refunds=await ddb.Table(settings.refunds_table),
            returns=await ddb.Table(settings.returns_table),
        )
