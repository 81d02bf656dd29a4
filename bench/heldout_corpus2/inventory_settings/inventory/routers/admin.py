from datetime import datetime, timezone

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException

from ..config import Settings, get_settings
from ..repositories import ApiKeyRepository, ProductRepository
from ..schemas import Product, Sku
from ..security import require_admin

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(require_admin)])


@router.post("/products/import", status_code=202)
async def import_products(products_in: list[Product],
                          products: ProductRepository = Depends(ProductRepository),
                          settings: Settings = Depends(get_settings)):
    if len(products_in) > settings.import_batch_limit:
        raise HTTPException(413, f"At most {settings.import_batch_limit} products per import")
    now = datetime.now(timezone.utc).isoformat()
    written = products.put_many({**p.model_dump(), "updated_at": now} for p in products_in)
    return {"imported": written}


@router.delete("/products/{sku}", status_code=204)
def delete_product(sku: Sku, products: ProductRepository = Depends(ProductRepository)):
    try:
        products.delete({"sku": sku}, ConditionExpression="attribute_exists(sku)")
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(404, "Product not found") from exc
        raise


@router.get("/api-keys")
def list_api_keys(keys: ApiKeyRepository = Depends(ApiKeyRepository)):
    return keys.scan_all()


@router.post("/api-keys/{key_hash}/revoke")
def revoke_api_key(key_hash: str, keys: ApiKeyRepository = Depends(ApiKeyRepository)):
    keys.update(
        {"key_hash": key_hash},
        UpdateExpression="SET #enabled = :off, revoked_at = :now",
        ExpressionAttributeNames={"#enabled": "enabled"},
        ExpressionAttributeValues={":off": False, ":now": datetime.now(timezone.utc).isoformat()},
    )
    return {"revoked": True}
