from typing import List, Optional
from uuid import UUID, uuid4

from fastapi import Depends, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from fastapi_utils.cbv import cbv
from fastapi_utils.inferring_router import InferringRouter
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from ..models import Product, PurchaseOrder, connection, utcnow
from ..schemas import (
    MergeIn,
    OrderCreate,
    OrderOut,
    OrderPatch,
    OrderStatus,
    SKU_PATTERN,
)
from ..security import User, get_user

router = InferringRouter(prefix="/orders", tags=["orders"])


def _conditional_failure(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


@cbv(router)
class OrderViews:
    user: User = Depends(get_user)

    def _load_own(self, order_id: str) -> PurchaseOrder:
        try:
            order = PurchaseOrder.get(order_id)
        except PurchaseOrder.DoesNotExist:
            order = None
        if order is None or order.owner_email != self.user.email:
            raise HTTPException(status_code=404, detail="order not found")
        return order

    @router.post("", status_code=201, response_model=OrderOut)
    def create_order(self, body: OrderCreate):
        try:
            Product.get(body.sku)
        except Product.DoesNotExist:
            raise HTTPException(status_code=422, detail="unknown sku")
        order = PurchaseOrder(
            str(uuid4()),
            owner_email=self.user.email,
            **body.model_dump(),
        )
        try:
            order.save(condition=PurchaseOrder.order_id.does_not_exist())
        except PutError as exc:
            if _conditional_failure(exc):
                raise HTTPException(status_code=409, detail="please retry")
            raise
        return OrderOut.model_validate(order)

    @router.get("", response_model=List[OrderOut])
    def list_orders(self, limit: int = Query(25, ge=1, le=100)):
        orders = PurchaseOrder.owner_index.query(
            self.user.email, scan_index_forward=False, limit=limit
        )
        return [OrderOut.model_validate(o) for o in orders]

    @router.get("/search", response_model=List[OrderOut])
    def search_orders(
        self,
        status: Optional[OrderStatus] = None,
        sku: Optional[str] = Query(None, pattern=SKU_PATTERN),
    ):
        condition = None
        if status is not None:
            condition = PurchaseOrder.status == status
        if sku is not None:
            by_sku = PurchaseOrder.sku == sku
            condition = by_sku if condition is None else condition & by_sku
        results = []
        for order in PurchaseOrder.scan(filter_condition=condition):
            if order.owner_email == self.user.email:
                results.append(OrderOut.model_validate(order))
        return results

    @router.get("/{order_id}", response_model=OrderOut)
    def get_order(self, order_id: UUID):
        try:
            order = PurchaseOrder.get(str(order_id))
        except PurchaseOrder.DoesNotExist:
            raise HTTPException(status_code=404, detail="order not found")
        if order.owner_email != self.user.email:
            raise HTTPException(status_code=403, detail="this order belongs to another account")
        return OrderOut.model_validate(order)

    @router.patch("/{order_id}", response_model=OrderOut)
    def patch_order(self, order_id: UUID, body: OrderPatch):
        actions = [PurchaseOrder.updated_at.set(utcnow())]
        if body.quantity is not None:
            actions.append(PurchaseOrder.quantity.set(body.quantity))
        if body.note is not None:
            actions.append(PurchaseOrder.note.set(body.note))
        order = PurchaseOrder(str(order_id))
        try:
            order.update(
                actions=actions,
                condition=(PurchaseOrder.owner_email == self.user.email)
                & (PurchaseOrder.status == "draft"),
            )
        except UpdateError as exc:
            if _conditional_failure(exc):
                raise HTTPException(status_code=404, detail="no draft order with this id")
            raise
        return OrderOut.model_validate(order)

    @router.delete("/{order_id}", status_code=204)
    def delete_order(self, order_id: str):
        try:
            PurchaseOrder(order_id).delete(
                condition=(PurchaseOrder.owner_email == self.user.email)
                & (PurchaseOrder.status == "draft")
            )
        except DeleteError as exc:
            if _conditional_failure(exc):
                raise HTTPException(status_code=404, detail="no draft order with this id")
            raise

    def _submit(self, order_id: str) -> PurchaseOrder:
        order = self._load_own(order_id)
        if order.status != "draft":
            raise HTTPException(status_code=409, detail="order already submitted")
        product = Product.get(order.sku)
        with TransactWrite(connection=connection, client_request_token=f"submit-{order_id}") as tx:
            tx.update(
                order,
                actions=[
                    PurchaseOrder.status.set("submitted"),
                    PurchaseOrder.unit_price_cents.set(product.price_cents),
                    PurchaseOrder.updated_at.set(utcnow()),
                ],
                condition=(PurchaseOrder.owner_email == self.user.email)
                & (PurchaseOrder.status == "draft"),
            )
            tx.update(
                product,
                actions=[Product.quantity.add(-order.quantity)],
                condition=(Product.quantity >= order.quantity) & (Product.status == "active"),
            )
        order.refresh()
        return order

    @router.post("/{order_id}/submit", response_model=OrderOut)
    async def submit_order(self, order_id: UUID):
        try:
            order = await run_in_threadpool(self._submit, str(order_id))
        except TransactWriteError as exc:
            raise HTTPException(
                status_code=409,
                detail=f"order could not be submitted: {exc.cause_response_message}",
            )
        return OrderOut.model_validate(order)

    @router.post("/{order_id}/cancel", response_model=OrderOut)
    def cancel_order(self, order_id: UUID):
        order = self._load_own(str(order_id))
        if order.status != "draft":
            raise HTTPException(status_code=409, detail="only draft orders can be cancelled")
        order.update(
            actions=[
                PurchaseOrder.status.set("cancelled"),
                PurchaseOrder.updated_at.set(utcnow()),
            ]
        )
        return OrderOut.model_validate(order)

    @router.post("/{order_id}/merge", response_model=OrderOut)
    def merge_orders(self, order_id: UUID, body: MergeIn):
        target = self._load_own(str(order_id))
        try:
            source = PurchaseOrder.get(str(body.source_order_id))
        except PurchaseOrder.DoesNotExist:
            raise HTTPException(status_code=404, detail="source order not found")
        if source.sku != target.sku or source.status != "draft" or target.status != "draft":
            raise HTTPException(status_code=409, detail="only draft orders of one sku can be merged")
        with TransactWrite(connection=connection) as tx:
            tx.update(
                target,
                actions=[
                    PurchaseOrder.quantity.add(source.quantity),
                    PurchaseOrder.updated_at.set(utcnow()),
                ],
                condition=(PurchaseOrder.owner_email == self.user.email)
                & (PurchaseOrder.status == "draft"),
            )
            tx.delete(source, condition=PurchaseOrder.status == "draft")
        target.refresh()
        return OrderOut.model_validate(target)
