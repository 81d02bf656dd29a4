"""Stock corrections posted by the warehouse handheld scanners."""
from fastapi import APIRouter, Depends, Query

from shop.db import catalog_table, product_sk, shop_pk
from shop.schemas import AdjustIn, Sku

router = APIRouter(prefix="/inventory", tags=["inventory"])


@router.post("/{sku}/adjust")
async def adjust_stock(
    sku: Sku, body: AdjustIn, shop: str = Query(max_length=40), catalog=Depends(catalog_table)
) -> dict:
    resp = await catalog.update_item(
        Key={"pk": shop_pk(shop), "sk": product_sk(sku)},
        UpdateExpression="SET stock = stock + :d",
        ConditionExpression="attribute_exists(sk)",
        ExpressionAttributeValues={":d": body.delta},
        ReturnValues="UPDATED_NEW",
    )
    return {"stock": int(resp["Attributes"]["stock"])}
