"""A small generic CRUD router factory (fastapi-crudrouter style) over DynamoDB.

Every resource lives in its own table keyed by ``id``. ``owner_field`` names the
attribute that holds the Keycloak subject of the item's owner; when it is given,
reads, lists, updates and deletes are scoped to the caller.
"""
import uuid
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional, Type

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Path, Query, status
from pydantic import BaseModel

from .auth import KeycloakUser, get_current_user
from .db import dynamodb

ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def crud_router(
    model: Type[BaseModel],
    table_name: str,
    *,
    create_schema: Type[BaseModel],
    update_schema: Type[BaseModel],
    prefix: str,
    owner_field: Optional[str] = None,
    owner_index: Optional[str] = None,
    page_size: int = 50,
) -> APIRouter:
    table = dynamodb.Table(table_name)
    tag = prefix.strip("/")
    router = APIRouter(prefix=prefix, tags=[tag])

    def not_found() -> HTTPException:
        return HTTPException(status.HTTP_404_NOT_FOUND, f"{tag[:-1]} not found")

    def list_items(
        limit: int = Query(page_size, ge=1, le=100),
        user: KeycloakUser = Depends(get_current_user),
    ) -> List[Any]:
        if owner_field:
            resp = table.query(
                IndexName=owner_index,
                KeyConditionExpression=Key(owner_field).eq(user.sub),
                Limit=limit,
            )
        else:
            resp = table.scan(Limit=limit)
        return [model.parse_obj(i) for i in resp.get("Items", [])]

    def create_item(
        payload: create_schema,  # type: ignore[valid-type]
        user: KeycloakUser = Depends(get_current_user),
    ) -> Any:
        item: Dict[str, Any] = payload.dict()
        item["id"] = str(uuid.uuid4())
        item["version"] = 1
        item["created_at"] = _now()
        if owner_field:
            item[owner_field] = user.sub
        try:
            table.put_item(Item=item, ConditionExpression="attribute_not_exists(id)")
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise HTTPException(status.HTTP_409_CONFLICT, "id collision, retry")
            raise HTTPException(status.HTTP_502_BAD_GATEWAY, detail=f"DynamoDB error: {exc}")
        return model.parse_obj(item)

    def get_item(
        item_id: str = Path(..., regex=ID_PATTERN),
        user: KeycloakUser = Depends(get_current_user),
    ) -> Any:
        item = table.get_item(Key={"id": item_id}).get("Item")
        if item is None:
            raise not_found()
        if owner_field and item.get(owner_field) != user.sub:
            raise not_found()
        return model.parse_obj(item)

    def update_item(
        payload: update_schema,  # type: ignore[valid-type]
        item_id: str = Path(..., regex=ID_PATTERN),
        user: KeycloakUser = Depends(get_current_user),
    ) -> Any:
        changes = payload.dict(exclude_unset=True)
        expected = changes.pop("version")
        if not changes:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "nothing to update")
        names = {"#v": "version"}
        values: Dict[str, Any] = {":v": expected, ":one": 1}
        sets = ["#v = #v + :one"]
        for i, (field, value) in enumerate(changes.items()):
            names[f"#f{i}"] = field
            values[f":f{i}"] = value
            sets.append(f"#f{i} = :f{i}")
        condition = "attribute_exists(id) AND #v = :v"
        if owner_field:
            names["#owner"] = owner_field
            values[":me"] = user.sub
            condition += " AND #owner = :me"
        try:
            resp = table.update_item(
                Key={"id": item_id},
                UpdateExpression="SET " + ", ".join(sets),
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise HTTPException(status.HTTP_409_CONFLICT, "stale version or not found")
            raise
        return model.parse_obj(resp["Attributes"])

    def delete_item(
        item_id: str = Path(..., regex=ID_PATTERN),
        user: KeycloakUser = Depends(get_current_user),
    ) -> None:
        kwargs: Dict[str, Any] = {"ConditionExpression": "attribute_exists(id)"}
        if owner_field:
            kwargs = {
                "ConditionExpression": "attribute_exists(id) AND #owner = :me",
                "ExpressionAttributeNames": {"#owner": owner_field},
                "ExpressionAttributeValues": {":me": user.sub},
            }
        try:
            table.delete_item(Key={"id": item_id}, **kwargs)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise not_found()
            raise

    router.add_api_route("/", list_items, methods=["GET"], response_model=List[model])
    router.add_api_route(
        "/", create_item, methods=["POST"], response_model=model, status_code=201
    )
    router.add_api_route("/{item_id}", get_item, methods=["GET"], response_model=model)
    router.add_api_route("/{item_id}", update_item, methods=["PATCH"], response_model=model)
    router.add_api_route("/{item_id}", delete_item, methods=["DELETE"], status_code=204)
    return router
