import json
import logging

from dyntastic import A
from dyntastic.exceptions import DoesNotExist
from fastapi import APIRouter, Depends, File, HTTPException, UploadFile

from .auth import require_admin
from .models import Recipe, RecipeOut, Review, Slug, User, to_out, utcnow

log = logging.getLogger(__name__)

admin = APIRouter(prefix="/admin", tags=["admin"])
imports = APIRouter(prefix="/imports", tags=["imports"])


@admin.post("/recipes/{slug}/feature", response_model=RecipeOut)
def feature_recipe(slug: Slug, featured: bool = True):
    try:
        recipe = Recipe.get(slug)
    except DoesNotExist:
        raise HTTPException(status_code=404, detail="Recipe not found")
    recipe.update(
        A.featured.set(featured),
        A.updated_at.set(utcnow()),
        condition=A.slug.exists(),
        require_condition=True,
    )
    return to_out(recipe)


@admin.delete("/recipes/{slug}", status_code=204)
def delete_recipe(slug: Slug, staff: User = Depends(require_admin)):
    try:
        recipe = Recipe.get(slug)
    except DoesNotExist:
        raise HTTPException(status_code=404, detail="Recipe not found")
    for review in Review.query(slug):
        review.delete()
    recipe.delete()
    log.info("recipe %s deleted by %s", slug, staff.username)


@imports.post("/recipes", status_code=202)
async def import_recipes(file: UploadFile = File(...)):
    if not file.filename or not file.filename.endswith(".json"):
        raise HTTPException(status_code=415, detail="Upload a .json export")
    try:
        rows = json.loads(await file.read())
    except json.JSONDecodeError:
        raise HTTPException(status_code=400, detail="Not valid JSON")
    imported = []
    for row in rows:
        recipe = Recipe(**row)
        recipe.save()
        imported.append(recipe.slug)
    return {"imported": imported, "count": len(imported)}
