from typing import Literal

from fastapi import APIRouter, Body, Depends

from shop.auth import staff_only
from shop.db import CATALOG_TABLE, catalog_table, orders_table, product_sk, shop_pk
from shop.schemas import OrderOut, ProductIn, Slug

router = APIRouter(prefix="/staff", tags=["staff"], dependencies=[Depends(staff_only)])


@router.get("/orders", response_model=list[OrderOut])
async def all_orders(status: str | None = None, orders=Depends(orders_table)):
    kwargs, items = {}, []
    if status:
        kwargs = {"FilterExpression": "#s = :s", "ExpressionAttributeNames": {"#s": "status"},
                  "ExpressionAttributeValues": {":s": status}}
    while True:
        page = await orders.scan(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@router.post("/shops/{slug}/plan", status_code=204)
async def set_plan(
    slug: Slug, plan: Literal["starter", "pro", "enterprise"] = Body(embed=True), catalog=Depends(catalog_table)
):
    await catalog.update_item(
        Key={"pk": shop_pk(slug), "sk": "PROFILE"},
        UpdateExpression="SET #p = :p",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeNames={"#p": "plan"},
        ExpressionAttributeValues={":p": plan},
    )


@router.post("/shops/{slug}/suspend", status_code=204)
async def suspend_shop(slug: Slug, reason: str = Body(embed=True, max_length=300), catalog=Depends(catalog_table)):
    await catalog.update_item(
        Key={"pk": shop_pk(slug), "sk": "PROFILE"},
        UpdateExpression="SET suspended = :t, suspended_reason = :r",
        ExpressionAttributeValues={":t": True, ":r": reason},
    )


@router.post("/shops/{slug}/products/bulk", status_code=202)
async def bulk_load_products(slug: Slug, rows: list[ProductIn], catalog=Depends(catalog_table)) -> dict:
    for start in range(0, len(rows), 25):
        chunk = rows[start : start + 25]
        await catalog.batch_write_item(
            RequestItems={
                CATALOG_TABLE: [
                    {"PutRequest": {"Item": {**row.model_dump(), "pk": shop_pk(slug), "sk": product_sk(row.sku), "version": 1}}}
                    for row in chunk
                ]
            }
        )
    return {"queued": len(rows)}
