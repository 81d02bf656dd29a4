import os
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from . import admin, auth, people, recipes
from .models import RECIPES_BY_AUTHOR, Collection, Recipe, Review, User


@asynccontextmanager
async def lifespan(app: FastAPI):
    if os.getenv("CREATE_TABLES") == "1":
        User.create_table()
        Recipe.create_table(RECIPES_BY_AUTHOR)
        Review.create_table()
        Collection.create_table()
    yield


app = FastAPI(title="Recipe catalogue", version="1.4.0", lifespan=lifespan)

app.include_router(auth.router)
app.include_router(recipes.public)
app.include_router(recipes.router)
app.include_router(people.users)
app.include_router(people.collections, dependencies=[Depends(auth.get_current_user)])
app.include_router(admin.admin, dependencies=[Depends(auth.require_admin)])
app.include_router(admin.imports)


@app.get("/healthz")
def healthz():
    return {"ok": True}
