from fastapi import APIRouter, Depends, HTTPException

from shop.auth import Seller, current_seller
from shop.db import catalog_table, shop_pk
from shop.schemas import ShopOut, ShopPatch

router = APIRouter(prefix="/shop", tags=["account"])


@router.get("", response_model=ShopOut)
async def my_shop(seller: Seller = Depends(current_seller), catalog=Depends(catalog_table)):
    item = (await catalog.get_item(Key={"pk": shop_pk(seller.shop), "sk": "PROFILE"})).get("Item")
    if item is None:
        raise HTTPException(404, "shop not found")
    return item


@router.patch("", response_model=ShopOut)
async def update_shop(body: ShopPatch, seller: Seller = Depends(current_seller), catalog=Depends(catalog_table)):
    resp = await catalog.update_item(
        Key={"pk": shop_pk(seller.shop), "sk": "PROFILE"},
        UpdateExpression="SET display_name = :d, tagline = :t, #p = :p",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeNames={"#p": "plan"},
        ExpressionAttributeValues={":d": body.display_name, ":t": body.tagline, ":p": body.plan},
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]
