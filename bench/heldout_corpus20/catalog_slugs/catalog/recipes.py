from botocore.exceptions import ClientError
from dyntastic import A
from dyntastic.exceptions import ConditionException, DoesNotExist
from fastapi import APIRouter, Depends, Form, HTTPException

from .auth import get_current_user
from .models import (
    Recipe, RecipeCreate, RecipeOut, RecipeUpdate, Review, ReviewOut,
    Slug, User, Username, to_out, utcnow,
)

public = APIRouter(prefix="/recipes", tags=["recipes"])
router = APIRouter(
    prefix="/recipes",
    tags=["recipes"],
    dependencies=[Depends(get_current_user)],
)


def published_or_404(slug: str) -> Recipe:
    recipe = Recipe.safe_get(slug)
    if recipe is None or recipe.status != "published":
        raise HTTPException(status_code=404, detail="Recipe not found")
    return recipe


@public.get("/", response_model=list[RecipeOut])
def list_recipes(tag: str | None = None):
    condition = A.status == "published"
    if tag:
        condition = condition & A.tags.contains(tag)
    return [to_out(r) for r in Recipe.scan(condition)]


@public.get("/{slug}", response_model=RecipeOut)
def get_recipe(slug: Slug):
    return to_out(published_or_404(slug))


@public.get("/{slug}/reviews", response_model=list[ReviewOut])
def list_reviews(slug: Slug):
    published_or_404(slug)
    return list(Review.query(slug))


@router.post("/", response_model=RecipeOut, status_code=201)
def create_recipe(body: RecipeCreate, user: User = Depends(get_current_user)):
    recipe = Recipe(**body.model_dump(), author=user.username)
    try:
        recipe.save(condition=A.slug.not_exists())
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=409, detail="Slug already taken")
        raise
    return to_out(recipe)


@router.put("/{slug}", response_model=RecipeOut)
def update_recipe(slug: Slug, body: RecipeUpdate, user: User = Depends(get_current_user)):
    recipe = Recipe.safe_get(slug)
    if recipe is None or recipe.author != user.username:
        raise HTTPException(status_code=404, detail="Recipe not found")
    changes = body.model_dump(exclude={"version"})
    try:
        recipe.update(
            *[getattr(A, field).set(value) for field, value in changes.items()],
            A.updated_at.set(utcnow()),
            A.version.plus(1),
            condition=(A.author == user.username) & (A.version == body.version),
            require_condition=True,
        )
    except ConditionException:
        raise HTTPException(status_code=409, detail="Recipe was modified, reload it")
    return to_out(recipe)


@router.post("/{slug}/publish", response_model=RecipeOut)
def publish_recipe(slug: Slug, user: User = Depends(get_current_user)):
    recipe = Recipe.safe_get(slug)
    if recipe is None or recipe.author != user.username:
        raise HTTPException(status_code=404, detail="Recipe not found")
    recipe.update(
        A.status.set("published"),
        A.published_at.set(utcnow()),
        condition=A.author == user.username,
    )
    return to_out(recipe)


@router.post("/{slug}/reviews", response_model=ReviewOut, status_code=201)
def add_review(
    slug: Slug,
    rating: int = Form(..., ge=1, le=5),
    body: str = Form("", max_length=2000),
    user: User = Depends(get_current_user),
):
    recipe = published_or_404(slug)
    review = Review(recipe_slug=slug, author=user.username, rating=rating, body=body)
    review.save()
    recipe.update(
        A.rating_sum.plus(rating),
        A.rating_count.plus(1),
        condition=A.status == "published",
        refresh=False,
    )
    return review


@router.delete("/{slug}/reviews/{author}", status_code=204)
def delete_review(slug: Slug, author: Username):
    try:
        review = Review.get(slug, author)
    except DoesNotExist:
        raise HTTPException(status_code=404, detail="Review not found")
    review.delete()
