import base64
import json

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException

from shop.auth import Seller, current_seller
from shop.db import catalog_table, product_sk, shop_pk
from shop.schemas import PriceIn, ProductIn, ProductOut, ProductPatch, RenameIn, Sku

# Mounted by shop.main under /v1 with dependencies=[Depends(current_seller)].
router = APIRouter(prefix="/products", tags=["products"])


@router.get("")
async def list_products(
    cursor: str | None = None, seller: Seller = Depends(current_seller), catalog=Depends(catalog_table)
) -> dict:
    kwargs = {"KeyConditionExpression": Key("pk").eq(shop_pk(seller.shop)) & Key("sk").begins_with("PRODUCT#")}
    if cursor:
        kwargs["ExclusiveStartKey"] = json.loads(base64.urlsafe_b64decode(cursor))
    page = await catalog.query(**kwargs)
    nxt = page.get("LastEvaluatedKey")
    return {
        "items": [ProductOut(**item) for item in page["Items"]],
        "cursor": base64.urlsafe_b64encode(json.dumps(nxt).encode()).decode() if nxt else None,
    }


@router.post("", response_model=ProductOut, status_code=201)
async def create_product(body: ProductIn, seller: Seller = Depends(current_seller), catalog=Depends(catalog_table)):
    item = {**body.model_dump(), "pk": shop_pk(seller.shop), "sk": product_sk(body.sku), "version": 1}
    try:
        await catalog.put_item(Item=item, ConditionExpression="attribute_not_exists(sk)")
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(409, "a product with this SKU already exists")
        raise
    return item


@router.patch("/{sku}", response_model=ProductOut)
async def patch_product(
    sku: Sku, body: ProductPatch, seller: Seller = Depends(current_seller), catalog=Depends(catalog_table)
):
    key = {"pk": shop_pk(seller.shop), "sk": product_sk(sku)}
    current = (await catalog.get_item(Key=key)).get("Item")
    if current is None:
        raise HTTPException(404, "product not found")
    if current["version"] != body.version:
        raise HTTPException(409, "product changed since you loaded it")
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    resp = await catalog.update_item(
        Key=key,
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in changes) + ", version = version + :one",
        ConditionExpression="attribute_exists(sk)",
        ExpressionAttributeNames={f"#{k}": k for k in changes},
        ExpressionAttributeValues={**{f":{k}": v for k, v in changes.items()}, ":one": 1},
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]


@router.put("/{sku}/price", response_model=ProductOut)
async def set_price(sku: Sku, body: PriceIn, seller: Seller = Depends(current_seller), catalog=Depends(catalog_table)):
    try:
        resp = await catalog.update_item(
            Key={"pk": shop_pk(seller.shop), "sk": product_sk(sku)},
            UpdateExpression="SET price = :p, version = version + :one",
            ConditionExpression="version = :v",
            ExpressionAttributeValues={":p": body.price, ":one": 1, ":v": body.version},
            ReturnValues="ALL_NEW",
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(409, "price was changed by someone else")
        raise
    return resp["Attributes"]


@router.post("/{sku}/rename", response_model=ProductOut)
async def rename_product(
    sku: Sku, body: RenameIn, seller: Seller = Depends(current_seller), catalog=Depends(catalog_table)
):
    old_key = {"pk": shop_pk(seller.shop), "sk": product_sk(sku)}
    item = (await catalog.get_item(Key=old_key)).get("Item")
    if item is None:
        raise HTTPException(404, "product not found")
    renamed = {**item, "sk": product_sk(body.new_sku), "sku": body.new_sku}
    await catalog.put_item(Item=renamed, ConditionExpression="attribute_not_exists(sk)")
    await catalog.delete_item(Key=old_key, ConditionExpression="attribute_exists(sk)")
    return renamed
