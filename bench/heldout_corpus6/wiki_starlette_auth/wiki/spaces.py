from datetime import datetime, timezone

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Request
from starlette.authentication import requires

from .db import spaces
from .errors import Conflict, Forbidden, NotFound
from .schemas import MemberIn, Slug, SpaceIn, SpaceOut, SpacePatch

router = APIRouter(prefix="/spaces", tags=["spaces"])


def require_member(slug: str, user) -> dict:
    """The space, if the caller belongs to it; one 404 for missing and foreign spaces."""
    space = spaces.get_item(Key={"slug": slug}).get("Item")
    if space is None or user.sub not in space.get("members", set()):
        raise NotFound("space not found")
    return space


@router.get("/", response_model=list[SpaceOut])
@requires("authenticated")
def my_spaces(request: Request):
    resp = spaces.query(
        IndexName="owner-index",
        KeyConditionExpression=Key("owner_sub").eq(request.user.sub),
    )
    return resp["Items"]


@router.post("/", response_model=SpaceOut, status_code=201)
@requires("authenticated")
def create_space(request: Request, body: SpaceIn):
    item = {
        "slug": body.slug,
        "title": body.title,
        "description": body.description,
        "owner_sub": request.user.sub,
        "members": {request.user.sub},
        "plan": "free",
        "state": "active",
        "created_at": datetime.now(timezone.utc).isoformat(),
    }
    try:
        spaces.put_item(Item=item, ConditionExpression="attribute_not_exists(slug)")
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise Conflict("this slug is taken")
        raise
    return item


@router.get("/{slug}", response_model=SpaceOut)
@requires("authenticated")
def get_space(request: Request, slug: Slug):
    space = spaces.get_item(Key={"slug": slug}).get("Item")
    if space is None:
        raise NotFound("space not found")
    if request.user.sub not in space.get("members", set()):
        raise Forbidden("you are not a member of this space")
    return space


@router.patch("/{slug}", response_model=SpaceOut)
@requires("authenticated")
def update_space(request: Request, slug: Slug, body: SpacePatch):
    changes = body.model_dump(exclude_none=True)
    if not changes:
        return require_member(slug, request.user)
    try:
        resp = spaces.update_item(
            Key={"slug": slug},
            UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in changes),
            ConditionExpression="#owner = :me",
            ExpressionAttributeNames={"#owner": "owner_sub", **{f"#{k}": k for k in changes}},
            ExpressionAttributeValues={":me": request.user.sub, **{f":{k}": v for k, v in changes.items()}},
            ReturnValues="ALL_NEW",
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise NotFound("space not found")
        raise
    return resp["Attributes"]


@router.post("/{slug}/members", status_code=204)
@requires("authenticated")
def add_member(request: Request, slug: Slug, body: MemberIn):
    try:
        spaces.update_item(
            Key={"slug": slug},
            UpdateExpression="ADD members :new",
            ConditionExpression="owner_sub = :me",
            ExpressionAttributeValues={":new": {body.sub}, ":me": request.user.sub},
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise NotFound("space not found")
        raise


@router.post("/{slug}/archive", response_model=SpaceOut)
@requires("authenticated")
def archive_space(request: Request, slug: Slug):
    try:
        resp = spaces.update_item(
            Key={"slug": slug},
            UpdateExpression="SET #st = :archived, archived_at = :now",
            ConditionExpression="owner_sub = :me",
            ExpressionAttributeNames={"#st": "state"},
            ExpressionAttributeValues={
                ":archived": "archived",
                ":now": datetime.now(timezone.utc).isoformat(),
                ":me": request.user.sub,
            },
            ReturnValues="ALL_NEW",
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise NotFound("space not found")
        raise
    return resp["Attributes"]
