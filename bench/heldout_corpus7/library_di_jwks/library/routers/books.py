import re

from botocore.exceptions import ClientError
from dependency_injector.wiring import inject
from fastapi import APIRouter, BackgroundTasks, Header, HTTPException, Query, Response

from ..deps import Books, Librarian
from ..schemas import BookImport, BookIn, BookOut, CopiesIn, Isbn

router = APIRouter(tags=["books"])

_ETAG = re.compile(r'^(?:W/)?"(\d{1,9})"$')


def parse_if_match(value: str) -> int:
    match = _ETAG.match(value.strip())
    if match is None:
        raise HTTPException(status_code=400, detail="malformed If-Match")
    return int(match.group(1))


@router.get("/search", response_model=list[BookOut], response_model_exclude_none=True)
@inject
def search_books(
    books: Books,
    q: str = Query(..., min_length=2, max_length=100),
    field: str = Query("title", max_length=32),
):
    return [BookOut(**item) for item in books.search(field, q)]


@router.get("/{isbn}", response_model=BookOut, response_model_exclude_none=True)
@inject
def get_book(isbn: Isbn, response: Response, background_tasks: BackgroundTasks, books: Books):
    book = books.get(isbn)
    if book is None:
        raise HTTPException(status_code=404, detail="book not found")
    response.headers["ETag"] = f'W/"{book["version"]}"'
    background_tasks.add_task(books.bump_views, isbn)
    return book


@router.put("/{isbn}", response_model=BookOut)
@inject
def replace_book(
    isbn: Isbn,
    body: BookIn,
    response: Response,
    _: Librarian,
    books: Books,
    if_match: str = Header(..., alias="If-Match"),
):
    expected = parse_if_match(if_match)
    try:
        book = books.replace(isbn, body.model_dump(), expected)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=412, detail="precondition failed") from exc
        raise
    response.headers["ETag"] = f'W/"{book["version"]}"'
    return book


@router.patch("/{isbn}/copies", response_model=BookOut)
@inject
def set_copies(isbn: Isbn, body: CopiesIn, _: Librarian, books: Books):
    return books.set_copies(isbn, body.copies_available)


@router.post("/import", status_code=201)
@inject
def import_books(body: list[BookImport], _: Librarian, books: Books):
    books.import_many([book.model_dump() for book in body])
    return {"imported": len(body)}
