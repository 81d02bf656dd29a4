"""Recipe routes. Every handler is traced; writes are audited."""
import uuid
from datetime import datetime, timezone
from decimal import Decimal
from typing import Optional

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from app.auth import JWTBearer, current_user_id
from app.db import RECIPES_TABLE, dynamodb, favorites, ratings, recipes
from app.observability import audit, cached, logger, tracer

router = APIRouter()


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


class Ingredient(BaseModel):
    name: str = Field(max_length=80)
    quantity: Decimal = Field(gt=0, max_digits=8, decimal_places=2)
    unit: str = Field(max_length=16)


class RecipeCreate(BaseModel):
    title: str = Field(min_length=1, max_length=120)
    ingredients: list[Ingredient]
    steps: list[str]
    tags: list[str] = []
    rating_sum: int = 0
    rating_count: int = 0


class RecipeUpdate(BaseModel):
    title: str = Field(min_length=1, max_length=120)
    ingredients: list[Ingredient]
    steps: list[str]
    tags: list[str] = []
    expected_updated_at: str


class RecipeOut(BaseModel):
    recipe_id: str
    owner_id: str
    title: str
    ingredients: list[Ingredient]
    steps: list[str]
    tags: list[str] = []
    status: str
    updated_at: str


class RecipeSummary(BaseModel):
    recipe_id: str
    title: str
    tags: list[str] = []


class CollaboratorIn(BaseModel):
    user_id: str = Field(min_length=1, max_length=64)


class RatingIn(BaseModel):
    stars: int = Field(ge=1, le=5)


class RatingSummary(BaseModel):
    recipe_id: str
    count: int
    average: float


class ShoppingListIn(BaseModel):
    recipe_ids: list[uuid.UUID] = Field(min_length=1, max_length=25)


class FavoriteOut(BaseModel):
    recipe_id: str
    name: str
    added_at: str


@router.get("/recipes/{recipe_id}/ratings", response_model=RatingSummary)
@tracer.capture_method
@cached(ttl=30)
def rating_summary(recipe_id: uuid.UUID):
    # Ratings are public: the recipe page shows them to signed-out visitors.
    resp = ratings.query(KeyConditionExpression=Key("recipe_id").eq(str(recipe_id)))
    stars = [int(i["stars"]) for i in resp["Items"]]
    average = sum(stars) / len(stars) if stars else 0.0
    return RatingSummary(recipe_id=str(recipe_id), count=len(stars), average=average)


@router.post("/recipes", status_code=201, response_model=RecipeOut,
             dependencies=[Depends(JWTBearer())])
@tracer.capture_method
@audit("recipe.create")
def create_recipe(body: RecipeCreate, user_id: str = Depends(current_user_id)):
    stamp = now_iso()
    item = {
        **body.model_dump(),
        "recipe_id": str(uuid.uuid4()),
        "owner_id": user_id,
        "collaborators": [],
        "status": "draft",
        "created_at": stamp,
        "updated_at": stamp,
    }
    recipes.put_item(Item=item, ConditionExpression="attribute_not_exists(recipe_id)")
    return item


@router.get("/recipes", response_model=list[RecipeSummary],
            dependencies=[Depends(JWTBearer())])
@tracer.capture_method
def my_recipes(user_id: str = Depends(current_user_id)):
    resp = recipes.query(
        IndexName="owner-index",
        KeyConditionExpression=Key("owner_id").eq(user_id),
    )
    return resp["Items"]


@router.get("/recipes/search", response_model=list[RecipeSummary],
            dependencies=[Depends(JWTBearer())])
@tracer.capture_method
def search_recipes(q: str = Query(min_length=2, max_length=40)):
    resp = recipes.scan(FilterExpression=Attr("title").contains(q), Limit=200)
    return resp["Items"]


@router.get("/recipes/{recipe_id}", response_model=RecipeOut,
            dependencies=[Depends(JWTBearer())])
@tracer.capture_method
def get_recipe(recipe_id: uuid.UUID, user_id: str = Depends(current_user_id)):
    item = recipes.get_item(Key={"recipe_id": str(recipe_id)}).get("Item")
    if item is None:
        raise HTTPException(status_code=404, detail="recipe not found")
    if item["owner_id"] != user_id and user_id not in item.get("collaborators", []):
        raise HTTPException(status_code=403, detail="not your recipe")
    return item


@router.put("/recipes/{recipe_id}", response_model=RecipeOut,
            dependencies=[Depends(JWTBearer())])
@tracer.capture_method
@audit("recipe.update")
def update_recipe(recipe_id: uuid.UUID, body: RecipeUpdate,
                  user_id: str = Depends(current_user_id)):
    try:
        resp = recipes.update_item(
            Key={"recipe_id": str(recipe_id)},
            UpdateExpression="SET title = :t, ingredients = :i, steps = :s, tags = :g, updated_at = :now",
            ConditionExpression=(
                "updated_at = :expected AND (owner_id = :me OR contains(collaborators, :me))"
            ),
            ExpressionAttributeValues={
                ":t": body.title,
                ":i": [i.model_dump() for i in body.ingredients],
                ":s": body.steps,
                ":g": body.tags,
                ":now": now_iso(),
                ":expected": body.expected_updated_at,
                ":me": user_id,
            },
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=409, detail="recipe changed or not yours")
        raise
    return resp["Attributes"]


@router.delete("/recipes/{recipe_id}", status_code=204,
               dependencies=[Depends(JWTBearer())])
@tracer.capture_method
@audit("recipe.delete")
def delete_recipe(recipe_id: uuid.UUID, user_id: str = Depends(current_user_id)):
    item = recipes.get_item(Key={"recipe_id": str(recipe_id)}).get("Item")
    if item is None or item["owner_id"] != user_id:
        raise HTTPException(status_code=404, detail="recipe not found")
    recipes.delete_item(Key={"recipe_id": str(recipe_id)})


@router.post("/recipes/{recipe_id}/collaborators", status_code=204,
             dependencies=[Depends(JWTBearer())])
@tracer.capture_method
@audit("recipe.share")
def add_collaborator(recipe_id: uuid.UUID, body: CollaboratorIn,
                     user_id: str = Depends(current_user_id)):
    try:
        recipes.update_item(
            Key={"recipe_id": str(recipe_id)},
            UpdateExpression="SET collaborators = list_append(collaborators, :c)",
            ConditionExpression="owner_id = :me AND NOT contains(collaborators, :u)",
            ExpressionAttributeValues={":c": [body.user_id], ":u": body.user_id, ":me": user_id},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="recipe not found")
        logger.exception("share failed")
        raise HTTPException(status_code=502, detail=str(exc))


@router.delete("/recipes/{recipe_id}/collaborators/{collaborator_id}", status_code=204)
@tracer.capture_method
@audit("recipe.unshare")
def remove_collaborator(recipe_id: uuid.UUID, collaborator_id: str,
                        user_id: str = Depends(current_user_id)):
    item = recipes.get_item(Key={"recipe_id": str(recipe_id)}).get("Item")
    if item is None or item["owner_id"] != user_id:
        raise HTTPException(status_code=404, detail="recipe not found")
    if collaborator_id not in item.get("collaborators", []):
        raise HTTPException(status_code=404, detail="not a collaborator")
    remaining = [c for c in item["collaborators"] if c != collaborator_id]
    recipes.update_item(
        Key={"recipe_id": str(recipe_id)},
        UpdateExpression="SET collaborators = :rest",
        ConditionExpression="owner_id = :me AND updated_at = :seen",
        ExpressionAttributeValues={":rest": remaining, ":me": user_id,
                                   ":seen": item["updated_at"]},
    )


@router.put("/recipes/{recipe_id}/rating", status_code=204,
            dependencies=[Depends(JWTBearer())])
@tracer.capture_method
@audit("recipe.rate")
def rate_recipe(recipe_id: uuid.UUID, body: RatingIn,
                user_id: str = Depends(current_user_id)):
    ratings.put_item(Item={
        "recipe_id": str(recipe_id),
        "user_id": user_id,
        "stars": body.stars,
        "rated_at": now_iso(),
    })
    recipes.update_item(
        Key={"recipe_id": str(recipe_id)},
        UpdateExpression="ADD rating_sum :s, rating_count :one",
        ConditionExpression="#st = :published",
        ExpressionAttributeNames={"#st": "status"},
        ExpressionAttributeValues={":s": body.stars, ":one": 1, ":published": "published"},
    )


@router.post("/recipes/{recipe_id}/publish", response_model=RecipeOut,
             dependencies=[Depends(JWTBearer())])
@tracer.capture_method
@audit("recipe.publish")
def publish_recipe(recipe_id: uuid.UUID, user_id: str = Depends(current_user_id)):
    resp = recipes.update_item(
        Key={"recipe_id": str(recipe_id)},
        UpdateExpression="SET #st = :published, updated_at = :now",
        ConditionExpression="owner_id = :me",
        ExpressionAttributeNames={"#st": "status"},
        ExpressionAttributeValues={":published": "published", ":now": now_iso(), ":me": user_id},
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]


@router.post("/recipes/{recipe_id}/archive", response_model=RecipeOut,
             dependencies=[Depends(JWTBearer())])
@tracer.capture_method
@audit("recipe.archive")
def archive_recipe(recipe_id: uuid.UUID, user_id: str = Depends(current_user_id)):
    try:
        resp = recipes.update_item(
            Key={"recipe_id": str(recipe_id)},
            UpdateExpression="SET #st = :archived, updated_at = :now",
            ConditionExpression="owner_id = :me AND #st = :published",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={":archived": "archived", ":published": "published",
                                       ":now": now_iso(), ":me": user_id},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=409, detail="only your published recipes")
        raise
    return resp["Attributes"]


@router.get("/recipes/{recipe_id}/export", dependencies=[Depends(JWTBearer())])
@tracer.capture_method
def export_recipe(recipe_id: str, user_id: str = Depends(current_user_id)):
    item = recipes.get_item(Key={"recipe_id": recipe_id}).get("Item")
    if item is None or item["owner_id"] != user_id:
        raise HTTPException(status_code=404, detail="recipe not found")
    return item


@router.post("/shopping-list", dependencies=[Depends(JWTBearer())])
@tracer.capture_method
def shopping_list(body: ShoppingListIn, user_id: str = Depends(current_user_id)):
    keys = [{"recipe_id": str(rid)} for rid in set(body.recipe_ids)]
    resp = dynamodb.batch_get_item(
        RequestItems={RECIPES_TABLE: {
            "Keys": keys,
            "ProjectionExpression": "recipe_id, owner_id, collaborators, ingredients, #st",
            "ExpressionAttributeNames": {"#st": "status"},
        }}
    )
    totals: dict[tuple[str, str], Decimal] = {}
    for recipe in resp["Responses"].get(RECIPES_TABLE, []):
        readable = (
            recipe["owner_id"] == user_id
            or user_id in recipe.get("collaborators", [])
            or recipe.get("status") == "published"
        )
        if not readable:
            continue
        for ing in recipe["ingredients"]:
            k = (ing["name"].lower(), ing["unit"])
            totals[k] = totals.get(k, Decimal(0)) + Decimal(str(ing["quantity"]))
    return {
        "items": [{"name": n, "unit": u, "quantity": str(q)} for (n, u), q in sorted(totals.items())],
        "unprocessed": len(resp.get("UnprocessedKeys", {})),
    }


@router.get("/me/favorites", response_model=list[FavoriteOut],
            dependencies=[Depends(JWTBearer())])
@tracer.capture_method
async def my_favorites(user_id: str = Depends(current_user_id)):
    resp = favorites.query(
        KeyConditionExpression=Key("user_id").eq(user_id),
        ProjectionExpression="recipe_id, name, added_at",
    )
    return resp["Items"]
