import uuid
from datetime import datetime, timezone
from typing import Any

from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError
from fastapi import APIRouter, HTTPException, Query

from app import crud
from app.api.deps import CurrentUser, SessionDep
from app.models import ItemCreate, ItemMerge, ItemPublic, ItemsPublic, ItemUpdate, Message

router = APIRouter(prefix="/items", tags=["items"])


@router.get("/", response_model=ItemsPublic)
def read_items(
    session: SessionDep, current_user: CurrentUser, skip: int = 0, limit: int = 100
) -> Any:
    if current_user.is_superuser:
        items = crud.scan_entities(session=session, entity="ITEM")
    else:
        items = crud.get_items_by_owner(session=session, owner_id=current_user.id)
    page = items[skip : skip + limit]
    return ItemsPublic(data=[ItemPublic.model_validate(i) for i in page], count=len(items))


@router.get("/search", response_model=ItemsPublic)
def search_items(
    session: SessionDep,
    current_user: CurrentUser,
    q: str = Query(min_length=2, max_length=100),
    limit: int = Query(default=20, le=100),
) -> Any:
    resp = session.scan(
        FilterExpression=Attr("entity").eq("ITEM") & Attr("title").contains(q),
        Limit=500,
    )
    data = [ItemPublic.model_validate(i) for i in resp["Items"][:limit]]
    return ItemsPublic(data=data, count=len(data))


@router.get("/{id}", response_model=ItemPublic)
def read_item(session: SessionDep, current_user: CurrentUser, id: uuid.UUID) -> Any:
    item = crud.get_item(session=session, item_id=id)
    if not item:
        raise HTTPException(status_code=404, detail="Item not found")
    if not current_user.is_superuser and (item["owner_id"] != str(current_user.id)):
        raise HTTPException(status_code=400, detail="Not enough permissions")
    return item


@router.post("/", response_model=ItemPublic)
def create_item(
    *, session: SessionDep, current_user: CurrentUser, item_in: ItemCreate
) -> Any:
    item = crud.create_item(session=session, item_in=item_in, owner_id=current_user.id)
    session.update_item(
        Key={"id": str(current_user.id)},
        UpdateExpression="ADD item_count :one",
        ExpressionAttributeValues={":one": 1},
    )
    return item


@router.put("/{id}", response_model=ItemPublic)
def update_item(
    *,
    session: SessionDep,
    current_user: CurrentUser,
    id: uuid.UUID,
    item_in: ItemUpdate,
) -> Any:
    item = crud.get_item(session=session, item_id=id)
    if not item or (
        not current_user.is_superuser and item["owner_id"] != str(current_user.id)
    ):
        raise HTTPException(status_code=404, detail="Item not found")
    return crud.update_item(session=session, db_item=item, item_in=item_in)


@router.post("/{id}/archive", response_model=ItemPublic)
def archive_item(session: SessionDep, current_user: CurrentUser, id: uuid.UUID) -> Any:
    try:
        return crud.set_item_status(session=session, item_id=id, status="archived")
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="Item not found")
        raise


@router.post("/{id}/merge", response_model=ItemPublic)
def merge_item(
    *,
    session: SessionDep,
    current_user: CurrentUser,
    id: uuid.UUID,
    merge_in: ItemMerge,
) -> Any:
    target = crud.get_item(session=session, item_id=id)
    if not target or (
        not current_user.is_superuser and target["owner_id"] != str(current_user.id)
    ):
        raise HTTPException(status_code=404, detail="Item not found")
    source = crud.get_item(session=session, item_id=merge_in.source_id)
    if not source:
        raise HTTPException(status_code=404, detail="Source item not found")
    description = "\n\n".join(
        d for d in (target.get("description"), source.get("description")) if d
    )[:255]
    now = datetime.now(timezone.utc).isoformat()
    try:
        session.meta.client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": session.name,
                        "Key": {"id": str(id)},
                        "UpdateExpression": "SET #d = :d, updated_at = :now",
                        "ConditionExpression": "owner_id = :owner",
                        "ExpressionAttributeNames": {"#d": "description"},
                        "ExpressionAttributeValues": {
                            ":d": description,
                            ":now": now,
                            ":owner": target["owner_id"],
                        },
                    }
                },
                {
                    "Delete": {
                        "TableName": session.name,
                        "Key": {"id": str(merge_in.source_id)},
                        "ConditionExpression": "attribute_exists(id)",
                    }
                },
            ]
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "TransactionCanceledException":
            raise HTTPException(status_code=409, detail="Items changed, try again")
        raise
    return {**target, "description": description, "updated_at": now}


@router.delete("/{id}")
def delete_item(session: SessionDep, current_user: CurrentUser, id: uuid.UUID) -> Message:
    kwargs: dict[str, Any] = {"Key": {"id": str(id)}}
    if current_user.is_superuser:
        kwargs["ConditionExpression"] = "attribute_exists(id)"
    else:
        kwargs["ConditionExpression"] = "owner_id = :owner"
        kwargs["ExpressionAttributeValues"] = {":owner": str(current_user.id)}
    try:
        session.delete_item(**kwargs)
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="Item not found")
        raise
    return Message(message="Item deleted successfully")
