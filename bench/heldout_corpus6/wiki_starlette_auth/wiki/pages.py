from datetime import datetime, timezone

from boto3.dynamodb.conditions import Attr, Key
from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError
from fastapi import APIRouter, HTTPException, Query, Request
from starlette.authentication import requires

from .db import PAGES_TABLE, pages, revisions
from .errors import Conflict, Forbidden, NotFound
from .schemas import PageIn, PageOut, PageSummary, PageUpdate, RenameIn, RevisionOut, Slug
from .spaces import require_member

router = APIRouter(tags=["pages"])
_serializer = TypeSerializer()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


@router.get("/spaces/{slug}/pages/", response_model=list[PageSummary])
@requires("authenticated")
def list_pages(request: Request, slug: Slug):
    require_member(slug, request.user)
    resp = pages.query(
        KeyConditionExpression=Key("space_slug").eq(slug),
        ProjectionExpression="space_slug, page_slug, title, version",
    )
    return resp["Items"]


@router.post("/spaces/{slug}/pages/", response_model=PageOut, status_code=201)
@requires("authenticated")
def create_page(request: Request, slug: Slug, body: PageIn):
    require_member(slug, request.user)
    item = {
        "space_slug": slug,
        "page_slug": body.page_slug,
        "title": body.title,
        "content": body.content,
        "author_sub": request.user.sub,
        "version": 1,
        "created_at": _now(),
    }
    try:
        pages.put_item(Item=item, ConditionExpression="attribute_not_exists(page_slug)")
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise Conflict("a page with this slug exists")
        raise
    return item


@router.get("/spaces/{slug}/pages/{page}")
@requires("authenticated")
def read_page(request: Request, slug: Slug, page: str):
    require_member(slug, request.user)
    resp = pages.get_item(Key={"space_slug": slug, "page_slug": page})
    if "Item" not in resp:
        raise NotFound("page not found")
    return resp["Item"]


@router.put("/spaces/{slug}/pages/{page}", response_model=PageOut)
@requires("authenticated")
def edit_page(request: Request, slug: Slug, page: Slug, body: PageUpdate):
    require_member(slug, request.user)
    try:
        resp = pages.update_item(
            Key={"space_slug": slug, "page_slug": page},
            UpdateExpression="SET title = :t, content = :c, edited_by = :me, edited_at = :now, #v = #v + :one",
            ConditionExpression="#v = :expected",
            ExpressionAttributeNames={"#v": "version"},
            ExpressionAttributeValues={
                ":t": body.title,
                ":c": body.content,
                ":me": request.user.sub,
                ":now": _now(),
                ":one": 1,
                ":expected": body.version,
            },
            ReturnValues="ALL_NEW",
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise Conflict("the page was edited in the meantime, reload it")
        raise
    return resp["Attributes"]


@router.delete("/spaces/{slug}/pages/{page}", status_code=204)
@requires("authenticated")
def delete_page(request: Request, slug: Slug, page: Slug):
    space = require_member(slug, request.user)
    current = pages.get_item(Key={"space_slug": slug, "page_slug": page}).get("Item")
    if current is None:
        raise NotFound("page not found")
    if request.user.sub not in (current["author_sub"], space["owner_sub"]):
        raise Forbidden("only the author or the space owner can delete this page")
    pages.delete_item(Key={"space_slug": slug, "page_slug": page})


@router.post("/spaces/{slug}/pages/{page}/rename", response_model=PageOut)
@requires("authenticated")
def rename_page(request: Request, slug: Slug, page: Slug, body: RenameIn):
    require_member(slug, request.user)
    current = pages.get_item(Key={"space_slug": slug, "page_slug": page}).get("Item")
    if current is None:
        raise NotFound("page not found")
    moved = {**current, "page_slug": body.new_slug}
    pages.meta.client.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": PAGES_TABLE,
                    "Item": {k: _serializer.serialize(v) for k, v in moved.items()},
                    "ConditionExpression": "attribute_not_exists(page_slug)",
                }
            },
            {
                "Delete": {
                    "TableName": PAGES_TABLE,
                    "Key": {"space_slug": {"S": slug}, "page_slug": {"S": page}},
                    "ConditionExpression": "#v = :v",
                    "ExpressionAttributeNames": {"#v": "version"},
                    "ExpressionAttributeValues": {":v": {"N": str(current["version"])}},
                }
            },
        ]
    )
    return moved


@router.get("/spaces/{slug}/pages/{page}/revisions", response_model=list[RevisionOut])
@requires("authenticated")
def page_revisions(request: Request, slug: Slug, page: Slug, limit: int = Query(20, le=100)):
    require_member(slug, request.user)
    try:
        resp = revisions.query(
            KeyConditionExpression=Key("page_key").eq(f"{slug}#{page}"),
            ScanIndexForward=False,
            Limit=limit,
        )
    except ClientError as e:
        raise HTTPException(status_code=502, detail=f"could not load revisions: {e}")
    return resp["Items"]


@router.get("/search/", response_model=list[PageSummary])
@requires("authenticated")
def search_pages(request: Request, q: str = Query(..., min_length=2, max_length=100)):
    found: list[dict] = []
    kwargs = {
        "FilterExpression": Attr("title").contains(q),
        "ProjectionExpression": "space_slug, page_slug, title, version",
    }
    while True:
        resp = pages.scan(**kwargs)
        found.extend(resp["Items"])
        if "LastEvaluatedKey" not in resp:
            return found
        kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]
