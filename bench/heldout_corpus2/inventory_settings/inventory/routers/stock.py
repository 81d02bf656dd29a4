from datetime import datetime, timezone

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Query

from ..repositories import StockRepository, stock_key
from ..schemas import Sku, StockLevel, StockTransfer, WarehouseCode
from ..security import Principal, require_api_key

router = APIRouter(prefix="/stock", tags=["stock"], dependencies=[Depends(require_api_key)])


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


@router.get("/{warehouse}")
def list_stock(warehouse: WarehouseCode,
               fields: str | None = Query(None, description="Comma separated attributes"),
               principal: Principal = Depends(require_api_key),
               stock: StockRepository = Depends(StockRepository)):
    params = {"KeyConditionExpression": Key("tenant_id").eq(principal.tenant_id)
              & Key("item_key").begins_with(f"{warehouse}#")}
    if fields:
        params["ProjectionExpression"] = fields
    return stock.query(**params)


@router.put("/{warehouse}/{sku}", response_model=StockLevel)
def put_stock_level(warehouse: WarehouseCode, sku: Sku, record: StockLevel,
                    principal: Principal = Depends(require_api_key),
                    stock: StockRepository = Depends(StockRepository)):
    item = {**record.model_dump(exclude={"updated_at"}), "tenant_id": principal.tenant_id,
            "item_key": stock_key(record.warehouse, record.sku), "updated_at": _now()}
    stock.put(item)
    return item


@router.post("/transfers", status_code=202)
def transfer_stock(body: StockTransfer, principal: Principal = Depends(require_api_key),
                   stock: StockRepository = Depends(StockRepository)):
    if body.from_warehouse == body.to_warehouse:
        raise HTTPException(422, "Source and destination are the same warehouse")
    try:
        stock.update(
            {"tenant_id": principal.tenant_id, "item_key": stock_key(body.from_warehouse, body.sku)},
            UpdateExpression="SET quantity = quantity - :q, updated_at = :now",
            ConditionExpression="quantity >= :q",
            ExpressionAttributeValues={":q": body.quantity, ":now": _now()},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(409, "Not enough stock in the source warehouse") from exc
        raise
    stock.update(
        {"tenant_id": principal.tenant_id, "item_key": stock_key(body.to_warehouse, body.sku)},
        UpdateExpression="SET quantity = quantity + :q, updated_at = :now",
        ConditionExpression="attribute_exists(item_key)",
        ExpressionAttributeValues={":q": body.quantity, ":now": _now()},
    )
    return {"sku": body.sku, "moved": body.quantity}
