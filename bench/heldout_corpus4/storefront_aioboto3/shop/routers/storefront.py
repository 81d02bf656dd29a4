"""Public storefront: anyone may browse a shop's published products."""
from boto3.dynamodb.conditions import Attr, Key
from fastapi import APIRouter, Depends, HTTPException

from shop.db import catalog_table, product_sk, shop_pk
from shop.schemas import ProductOut, Slug

router = APIRouter(prefix="/shops", tags=["storefront"])


@router.get("/{slug}")
async def shop_profile(slug: str, catalog=Depends(catalog_table)):
    resp = await catalog.get_item(Key={"pk": shop_pk(slug), "sk": "PROFILE"})
    if "Item" not in resp:
        raise HTTPException(404, "shop not found")
    return resp["Item"]


@router.get("/{slug}/products", response_model=list[ProductOut])
async def shop_products(slug: Slug, catalog=Depends(catalog_table)):
    resp = await catalog.query(
        KeyConditionExpression=Key("pk").eq(shop_pk(slug)) & Key("sk").begins_with(product_sk("")),
        FilterExpression=Attr("published").eq(True),
    )
    return resp["Items"]


@router.get("/{slug}/search", response_model=list[ProductOut])
async def search_products(slug: Slug, attr: str, value: str, catalog=Depends(catalog_table)):
    resp = await catalog.query(
        KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
        FilterExpression="published = :yes AND #a = :v",
        ExpressionAttributeNames={"#a": attr},
        ExpressionAttributeValues={":pk": shop_pk(slug), ":p": "PRODUCT#", ":yes": True, ":v": value},
    )
    return resp["Items"]
