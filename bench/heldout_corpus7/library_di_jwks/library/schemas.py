import base64
import json
from decimal import Decimal
from typing import Annotated

from fastapi import HTTPException, Path
from pydantic import BaseModel, Field

ISBN_PATTERN = r"^(97[89])?\d{9}[\dX]$"
Isbn = Annotated[str, Path(pattern=ISBN_PATTERN)]
Username = Annotated[str, Path(pattern=r"^[a-z0-9_.-]{3,32}$")]


class BookIn(BaseModel):
    title: str = Field(max_length=300)
    author: str = Field(max_length=200)
    year: int = Field(ge=1450, le=2100)


class BookImport(BookIn):
    isbn: str = Field(pattern=ISBN_PATTERN)
    copies_available: int = Field(ge=0, le=500)
    version: int = 1


class BookOut(BookIn):
    isbn: str
    year: int | None = None
    copies_available: int | None = None
    version: int | None = None


class CopiesIn(BaseModel):
    copies_available: int = Field(ge=0, le=500)


class LoanIn(BaseModel):
    isbn: str = Field(pattern=ISBN_PATTERN)


class LoanOut(BaseModel):
    loan_id: str
    isbn: str
    status: str
    due_date: str
    renewals: int = 0
    fine_cents: int | None = None


class LoanPage(BaseModel):
    items: list[LoanOut]
    cursor: str | None = None


class MemberPatch(BaseModel):
    display_name: str | None = Field(None, max_length=80)
    email: str | None = Field(None, max_length=254)
    max_loans: int | None = Field(None, ge=1, le=25)


class MemberOut(BaseModel):
    username: str
    display_name: str | None = None
    max_loans: int = 3


class QuotaIn(BaseModel):
    max_loans: int = Field(ge=0, le=25)


class ReviewIn(BaseModel):
    isbn: str = Field(pattern=ISBN_PATTERN)
    rating: int = Field(ge=1, le=5)
    text: str = Field("", max_length=4000)


class ReviewOut(BaseModel):
    isbn: str
    username: str
    rating: int
    text: str = ""


def encode_cursor(key: dict | None) -> str | None:
    if not key:
        return None
    raw = json.dumps(key, default=lambda v: int(v) if isinstance(v, Decimal) else str(v))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str | None) -> dict | None:
    if not cursor:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError as exc:
        raise HTTPException(status_code=400, detail="bad cursor") from exc
