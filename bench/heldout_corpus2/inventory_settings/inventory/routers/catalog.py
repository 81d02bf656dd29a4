from fastapi import APIRouter, Depends, HTTPException, Query

from ..repositories import ProductRepository
from ..schemas import Product, Sku
from ..security import require_api_key

router = APIRouter(prefix="/products", tags=["products"], dependencies=[Depends(require_api_key)])


@router.get("", response_model=list[Product])
def list_products(category: str | None = Query(None, max_length=40),
                  products: ProductRepository = Depends(ProductRepository)):
    if not category:
        return products.scan_all()
    return products.scan_all(FilterExpression="#c = :c", ExpressionAttributeNames={"#c": "category"},
                             ExpressionAttributeValues={":c": category})


@router.get("/{sku}", response_model=Product)
def get_product(sku: Sku, products: ProductRepository = Depends(ProductRepository)):
    product = products.load(sku=sku)
    if product is None:
        raise HTTPException(404, "Product not found")
    return product
