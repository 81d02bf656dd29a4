import os
import secrets

import boto3
from botocore.exceptions import ClientError
from dyntastic import A
from fastapi import APIRouter, Depends, File, Form, HTTPException, UploadFile

from .auth import get_current_user
from .models import (
    Collection, CollectionName, CollectionOut, ProfileOut, ProfileUpdate,
    Recipe, RecipeOut, User, Username, to_out, utcnow,
)

MEDIA_BUCKET = os.getenv("MEDIA_BUCKET", "catalog-media")
ALLOWED_IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}

s3 = boto3.client("s3")

users = APIRouter(prefix="/users", tags=["users"])
collections = APIRouter(prefix="/collections", tags=["collections"])


@users.get("/me", response_model=ProfileOut)
def read_me(user: User = Depends(get_current_user)):
    return user


@users.patch("/me", response_model=ProfileOut)
def update_me(body: ProfileUpdate, user: User = Depends(get_current_user)):
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        return user
    user.update(*[getattr(A, key).set(value) for key, value in changes.items()])
    return user


@users.post("/me/verify-email", status_code=204)
def verify_email(token: str = Form(..., min_length=32, max_length=64), user: User = Depends(get_current_user)):
    if not user.verify_token or not secrets.compare_digest(token, user.verify_token):
        raise HTTPException(status_code=400, detail="Invalid verification token")
    user.update(
        A.email_verified.set(True),
        A.verify_token.remove(),
        condition=A.verify_token == token,
    )


@users.get("/me/recipes", response_model=list[RecipeOut])
def my_recipes(user: User = Depends(get_current_user)):
    found = Recipe.query(A.author == user.username, index="author-created_at-index")
    return [to_out(r) for r in found]


@users.get("/{username}")
def read_profile(username: str):
    user = User.safe_get(username)
    if user is None:
        raise HTTPException(status_code=404, detail="User not found")
    return user


@users.put("/{username}/avatar", response_model=ProfileOut)
def upload_avatar(username: Username, file: UploadFile = File(...)):
    ext = ALLOWED_IMAGE_TYPES.get(file.content_type or "")
    if ext is None:
        raise HTTPException(status_code=415, detail="Unsupported image type")
    user = User.safe_get(username)
    if user is None:
        raise HTTPException(status_code=404, detail="User not found")
    key = f"avatars/{username}/{secrets.token_hex(8)}.{ext}"
    s3.upload_fileobj(file.file, MEDIA_BUCKET, key, ExtraArgs={"ContentType": file.content_type})
    user.update(A.avatar_key.set(key), condition=A.username.exists())
    return user


@collections.get("/", response_model=list[CollectionOut])
def my_collections(user: User = Depends(get_current_user)):
    return list(Collection.query(user.username))


@collections.post("/", response_model=CollectionOut, status_code=201)
def create_collection(
    name: str = Form(..., min_length=1, max_length=60),
    private: bool = Form(True),
    user: User = Depends(get_current_user),
):
    collection = Collection(username=user.username, name=name, private=private)
    try:
        collection.save(condition=A.name.not_exists())
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=409, detail="Collection already exists")
        raise
    return collection


@collections.get("/{owner}/{name}", response_model=CollectionOut)
def get_collection(owner: Username, name: str, user: User = Depends(get_current_user)):
    collection = Collection.safe_get(owner, name)
    if collection is None:
        raise HTTPException(status_code=404, detail="Collection not found")
    if collection.private and collection.username != user.username:
        raise HTTPException(status_code=403, detail="This collection is private")
    return collection


@collections.post("/{name}/recipes", response_model=CollectionOut)
def add_to_collection(
    name: CollectionName,
    slug: str = Form(..., pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$"),
    user: User = Depends(get_current_user),
):
    collection = Collection.safe_get(user.username, name)
    if collection is None:
        raise HTTPException(status_code=404, detail="Collection not found")
    collection.update(
        A.recipe_slugs.add({slug}),
        A.updated_at.set(utcnow()),
        condition=A.username.exists(),
    )
    return collection


@collections.post("/{name}/rename", response_model=CollectionOut)
def rename_collection(
    name: CollectionName,
    new_name: str = Form(..., min_length=1, max_length=60),
    user: User = Depends(get_current_user),
):
    old = Collection.safe_get(user.username, name)
    if old is None:
        raise HTTPException(status_code=404, detail="Collection not found")
    renamed = Collection(**old.model_dump(exclude={"name", "updated_at"}), name=new_name)
    try:
        renamed.save(condition=A.name.not_exists())
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=409, detail="Collection already exists")
        raise
    old.delete(condition=A.updated_at == old.updated_at)
    return renamed
