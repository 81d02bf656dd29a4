from typing import List, Optional
from uuid import uuid4

from fastapi import Depends, HTTPException, Query, Security
from fastapi_utils.cbv import cbv
from fastapi_utils.inferring_router import InferringRouter
from pynamodb.exceptions import PutError, UpdateError

from ..models import Product, StockMovement, utcnow
from ..schemas import (
    Category,
    PriceUpdate,
    ProductCreate,
    ProductOut,
    Sku,
    StockAdjustment,
)
from ..security import User, get_user

router = InferringRouter(tags=["products"])
admin_router = InferringRouter(prefix="/admin", tags=["admin"])


def _conflict(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


@cbv(router)
class ProductViews:
    user: User = Depends(get_user)

    @router.get("/products", response_model=List[ProductOut])
    async def list_products(
        self,
        category: Optional[Category] = None,
        limit: int = Query(50, ge=1, le=200),
    ):
        condition = Product.status == "active"
        if category is not None:
            condition &= Product.category == category
        products = []
        for product in Product.scan(filter_condition=condition, limit=limit):
            products.append(ProductOut.model_validate(product))
        return products

    @router.get("/products/{sku}", response_model=ProductOut)
    def get_product(self, sku: Sku):
        try:
            product = Product.get(sku)
        except Product.DoesNotExist:
            raise HTTPException(status_code=404, detail="unknown sku")
        return ProductOut.model_validate(product)

    @router.post("/products/{sku}/adjust-stock", response_model=ProductOut)
    def adjust_stock(
        self,
        sku: Sku,
        body: StockAdjustment,
        staff: User = Security(get_user, scopes=["inventory:write"]),
    ):
        try:
            product = Product.get(sku)
        except Product.DoesNotExist:
            raise HTTPException(status_code=404, detail="unknown sku")
        product.quantity = max(0, product.quantity + body.delta)
        product.updated_at = utcnow()
        # The hand scanners on the dock retry on every timeout and the version
        # check turned those retries into 500s (INV-212): counts are last-write-wins.
        product.save(add_version_condition=False)
        StockMovement(
            sku,
            str(uuid4()),
            delta=body.delta,
            reason=body.reason,
            actor=staff.email,
        ).save(condition=StockMovement.movement_id.does_not_exist())
        return ProductOut.model_validate(product)


@cbv(admin_router)
class AdminProductViews:
    admin: User = Security(get_user, scopes=["inventory:admin"])

    @admin_router.post("/products", status_code=201, response_model=ProductOut)
    def create_product(self, body: ProductCreate):
        product = Product(
            body.sku,
            title=body.title,
            description=body.description,
            category=body.category,
            price_cents=body.price_cents,
            quantity=body.quantity,
        )
        try:
            product.save(condition=Product.sku.does_not_exist())
        except PutError as exc:
            if _conflict(exc):
                raise HTTPException(status_code=409, detail="sku already exists")
            raise
        return ProductOut.model_validate(product)

    @admin_router.put("/products/{sku}/price", response_model=ProductOut)
    def set_price(self, sku: Sku, body: PriceUpdate):
        try:
            product = Product.get(sku)
        except Product.DoesNotExist:
            raise HTTPException(status_code=404, detail="unknown sku")
        product.price_cents = body.price_cents
        product.updated_at = utcnow()
        try:
            # version check: a concurrent price edit answers 409, nobody's change is lost
            product.save()
        except PutError as exc:
            if _conflict(exc):
                raise HTTPException(status_code=409, detail="product changed, reload and retry")
            raise
        return ProductOut.model_validate(product)

    @admin_router.post("/products/{sku}/discontinue", response_model=ProductOut)
    def discontinue(self, sku: Sku):
        try:
            product = Product.get(sku)
        except Product.DoesNotExist:
            raise HTTPException(status_code=404, detail="unknown sku")
        try:
            product.update(
                actions=[
                    Product.status.set("discontinued"),
                    Product.updated_at.set(utcnow()),
                ],
                condition=Product.status == "active",
            )
        except UpdateError as exc:
            if _conflict(exc):
                raise HTTPException(status_code=409, detail="product is not active")
            raise
        return ProductOut.model_validate(product)
