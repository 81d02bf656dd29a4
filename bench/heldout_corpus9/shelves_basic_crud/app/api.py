import uuid
from datetime import datetime, timezone
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status
from pydantic import BaseModel, EmailStr, Field

from .config import settings
from .crud import crud_shelf, crud_user
from .db import from_item, to_item
from .security import DB, CurrentUser, SuperUser, get_current_active_user, hash_password

Slug = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]

users_router = APIRouter()
shelves_router = APIRouter(dependencies=[Depends(get_current_active_user)])
books_router = APIRouter(dependencies=[Depends(get_current_active_user)])
admin_router = APIRouter()

def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat()

class UserBase(BaseModel):
    email: EmailStr
    full_name: str | None = None

class UserCreate(UserBase):
    username: str = Field(pattern=r"^[a-z0-9_]{3,32}$")
    password: str = Field(min_length=8)

class UserUpdate(BaseModel):
    email: EmailStr | None = None
    full_name: str | None = None
    is_superuser: bool | None = None

class UserRead(UserBase):
    username: str
    is_active: bool = True

class ShelfBase(BaseModel):
    title: str = Field(max_length=120)
    description: str | None = Field(default=None, max_length=2000)
    visibility: str = "private"

class ShelfCreate(ShelfBase):
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")

class ShelfRead(ShelfBase):
    owner: str
    slug: str
    status: str = "open"
    book_count: int = 0

class BookCreate(BaseModel):
    title: str = Field(max_length=200)
    author: str | None = Field(default=None, max_length=200)

class BookPut(BookCreate):
    book_id: str
    shelf_slug: str

class BookRead(BookCreate):
    book_id: str
    shelf_slug: str
    owner: str
    status: str = "available"
    borrower: str | None = None

class LendIn(BaseModel):
    borrower: str = Field(max_length=64)

@users_router.post("/", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def create_user(user_in: UserCreate, db: DB) -> Any:
    record = {"username": user_in.username, "email": user_in.email, "full_name": user_in.full_name,
              "password_hash": hash_password(user_in.password), "is_active": True, "is_superuser": False}
    return crud_user.create(db, record)

@users_router.get("/me", response_model=UserRead)
def read_user_me(current_user: CurrentUser) -> Any:
    return current_user

@users_router.patch("/me", response_model=UserRead)
def update_user_me(user_in: UserUpdate, current_user: CurrentUser, db: DB) -> Any:
    changes = user_in.model_dump(exclude_unset=True)
    if not changes:
        return current_user
    return crud_user.update(db, {"username": current_user["username"]}, changes,
                            condition="attribute_exists(password_hash)")

@shelves_router.post("/", response_model=ShelfRead, status_code=status.HTTP_201_CREATED)
def create_shelf(shelf_in: ShelfCreate, current_user: CurrentUser, db: DB) -> Any:
    record = {**shelf_in.model_dump(), "owner": current_user["username"], "status": "open",
              "book_count": 0, "created_at": utcnow()}
    db.put_item(
        TableName=settings.tables.shelves,
        Item=to_item(record),
        ConditionExpression="attribute_not_exists(slug)",
    )
    return record

@shelves_router.get("/", response_model=list[ShelfRead])
def list_my_shelves(
    current_user: CurrentUser,
    db: DB,
    fields: str | None = Query(default=None, description="comma separated attributes"),
) -> Any:
    kwargs: dict[str, Any] = {
        "TableName": settings.tables.shelves,
        "KeyConditionExpression": "#o = :o",
        "ExpressionAttributeNames": {"#o": "owner"},
        "ExpressionAttributeValues": {":o": {"S": current_user["username"]}},
    }
    if fields:
        kwargs["ProjectionExpression"] = fields
    shelves: list[dict[str, Any]] = []
    while True:
        page = db.query(**kwargs)
        shelves.extend(from_item(i) for i in page["Items"])
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return [s for s in shelves if "deleted_at" not in s]

@shelves_router.get("/search", response_model=list[ShelfRead])
def search_shelves(current_user: CurrentUser, db: DB, q: str = Query(max_length=50)) -> Any:
    resp = db.scan(
        TableName=settings.tables.shelves,
        FilterExpression="contains(#t, :q) AND attribute_not_exists(deleted_at)",
        ExpressionAttributeNames={"#t": "title"},
        ExpressionAttributeValues={":q": {"S": q}},
    )
    return [from_item(i) for i in resp["Items"]]

@shelves_router.put("/{slug}", response_model=ShelfRead)
def update_shelf(slug: Slug, shelf_in: ShelfBase, current_user: CurrentUser, db: DB) -> Any:
    return crud_shelf.update(
        db,
        {"owner": current_user["username"], "slug": slug},
        shelf_in.model_dump(),
        condition="attribute_exists(slug) AND attribute_not_exists(deleted_at)",
    )

@shelves_router.post("/{slug}/archive", response_model=ShelfRead)
def archive_shelf(slug: Slug, current_user: CurrentUser, db: DB) -> Any:
    resp = db.update_item(
        TableName=settings.tables.shelves,
        Key={"owner": {"S": current_user["username"]}, "slug": {"S": slug}},
        UpdateExpression="SET #s = :archived, archived_at = :now",
        ConditionExpression="#s = :open",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":archived": {"S": "archived"}, ":open": {"S": "open"},
                                   ":now": {"S": utcnow()}},
        ReturnValues="ALL_NEW",
    )
    return from_item(resp["Attributes"])

@shelves_router.delete("/{slug}", status_code=status.HTTP_204_NO_CONTENT)
def delete_shelf(slug: Slug, current_user: CurrentUser, db: DB) -> None:
    crud_shelf.update(
        db,
        {"owner": current_user["username"], "slug": slug},
        {"deleted_at": utcnow()},
        condition="attribute_exists(slug) AND attribute_not_exists(deleted_at)",
    )

@shelves_router.post("/{slug}/books", response_model=BookRead, status_code=201)
def add_book(slug: Slug, book_in: BookCreate, current_user: CurrentUser, db: DB) -> Any:
    me = current_user["username"]
    book = {**book_in.model_dump(), "book_id": str(uuid.uuid4()), "shelf_slug": slug,
            "owner": me, "status": "available"}
    db.put_item(
        TableName=settings.tables.books,
        Item=to_item(book),
        ConditionExpression="attribute_not_exists(book_id)",
    )
    db.update_item(
        TableName=settings.tables.shelves,
        Key={"owner": {"S": me}, "slug": {"S": slug}},
        UpdateExpression="ADD book_count :one",
        ConditionExpression="attribute_exists(slug)",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    return book

@shelves_router.get("/{slug}/books/{book_id}", response_model=BookRead)
def read_shelf_book(slug: Slug, book_id: uuid.UUID, current_user: CurrentUser, db: DB) -> Any:
    me = current_user["username"]
    resp = db.transact_get_items(
        TransactItems=[
            {"Get": {"TableName": settings.tables.shelves,
                     "Key": {"owner": {"S": me}, "slug": {"S": slug}}}},
            {"Get": {"TableName": settings.tables.books,
                     "Key": {"book_id": {"S": str(book_id)}}}},
        ]
    )
    shelf, book = (from_item(r.get("Item")) for r in resp["Responses"])
    if shelf is None or book is None or book["owner"] != me or book["shelf_slug"] != slug:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Book not found")
    return book

@books_router.get("/{book_id}", response_model=BookRead)
def read_book(book_id: uuid.UUID, current_user: CurrentUser, db: DB) -> Any:
    resp = db.get_item(TableName=settings.tables.books, Key={"book_id": {"S": str(book_id)}})
    book = from_item(resp.get("Item"))
    if book is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Book not found")
    if book["owner"] != current_user["username"]:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Not your book")
    return book

@books_router.put("/{book_id}", response_model=BookRead)
def replace_book(book_id: uuid.UUID, book_in: BookPut, current_user: CurrentUser, db: DB) -> Any:
    me = current_user["username"]
    resp = db.get_item(TableName=settings.tables.books, Key={"book_id": {"S": str(book_id)}})
    current = from_item(resp.get("Item"))
    if current is None or current["owner"] != me:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Book not found")
    book = {**current, **book_in.model_dump(), "owner": me}
    db.put_item(TableName=settings.tables.books, Item=to_item(book))
    return book

@books_router.post("/{book_id}/lend", response_model=BookRead)
def lend_book(book_id: uuid.UUID, lend_in: LendIn, current_user: CurrentUser, db: DB) -> Any:
    resp = db.update_item(
        TableName=settings.tables.books,
        Key={"book_id": {"S": str(book_id)}},
        UpdateExpression="SET #s = :lent, borrower = :b",
        ConditionExpression="owner = :me",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":lent": {"S": "lent"}, ":b": {"S": lend_in.borrower},
                                   ":me": {"S": current_user["username"]}},
        ReturnValues="ALL_NEW",
    )
    return from_item(resp["Attributes"])

@books_router.post("/{book_id}/return", response_model=BookRead)
def return_book(book_id: uuid.UUID, current_user: CurrentUser, db: DB) -> Any:
    resp = db.update_item(
        TableName=settings.tables.books,
        Key={"book_id": {"S": str(book_id)}},
        UpdateExpression="SET #s = :available REMOVE borrower",
        ConditionExpression="#s = :lent AND #o = :me",
        ExpressionAttributeNames={"#s": "status", "#o": "owner"},
        ExpressionAttributeValues={":available": {"S": "available"}, ":lent": {"S": "lent"},
                                   ":me": {"S": current_user["username"]}},
        ReturnValues="ALL_NEW",
    )
    return from_item(resp["Attributes"])

@books_router.delete("/{book_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_book(book_id: str, current_user: CurrentUser, db: DB) -> None:
    db.delete_item(TableName=settings.tables.books, Key={"book_id": {"S": book_id}})

@books_router.post("/import", status_code=status.HTTP_202_ACCEPTED)
def import_books(
    books_in: list[BookCreate], current_user: CurrentUser, db: DB,
    shelf: str = Query(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$"),
) -> dict:
    me = current_user["username"]
    with db.batch_writer(TableName=settings.tables.books) as batch:
        for book_in in books_in:
            batch.put_item(Item={**book_in.model_dump(), "book_id": str(uuid.uuid4()),
                                 "shelf_slug": shelf, "owner": me, "status": "available"})
    return {"imported": len(books_in)}

@admin_router.get("/shelves", response_model=list[ShelfRead])
def admin_list_shelves(admin: SuperUser, db: DB, limit: int = Query(100, le=500)) -> Any:
    resp = db.scan(TableName=settings.tables.shelves, Limit=limit)
    return [from_item(i) for i in resp["Items"]]
