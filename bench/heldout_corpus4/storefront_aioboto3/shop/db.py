import os

import aioboto3
from fastapi import Depends

CATALOG_TABLE = os.environ.get("CATALOG_TABLE", "storefront-catalog")
ORDERS_TABLE = os.environ.get("ORDERS_TABLE", "storefront-orders")
SESSIONS_TABLE = os.environ.get("SESSIONS_TABLE", "storefront-sessions")
ENDPOINT = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")

SESSION = aioboto3.Session()


async def get_ddb():
    """One DynamoDB service resource per request, closed when the response is sent."""
    async with SESSION.resource("dynamodb", endpoint_url=ENDPOINT) as ddb:
        yield ddb


async def catalog_table(ddb=Depends(get_ddb)):
    return await ddb.Table(CATALOG_TABLE)


async def orders_table(ddb=Depends(get_ddb)):
    return await ddb.Table(ORDERS_TABLE)


async def sessions_table(ddb=Depends(get_ddb)):
    return await ddb.Table(SESSIONS_TABLE)


def shop_pk(slug: str) -> str:
    return f"SHOP#{slug}"


def product_sk(sku: str) -> str:
    return f"PRODUCT#{sku}"
