from fastapi import APIRouter, Depends
from pydantic import BaseModel

from ..db import ProductRepository, get_products
from ..security import Principal, current_principal, require_staff

router = APIRouter(prefix="/products", tags=["products"])


class ProductIn(BaseModel):
    sku: str
    name: str
    price_cents: int
    stock: int = 0


@router.get("")
def list_products(me: Principal = Depends(current_principal), products: ProductRepository = Depends(get_products)):
    return products.table.scan()["Items"]


@router.put("/{sku}")
def upsert_product(sku: str, body: ProductIn, staff: Principal = Depends(require_staff), products: ProductRepository = Depends(get_products)):
    products.put({**body.model_dump(), "sku": sku})
    return {"sku": sku}
