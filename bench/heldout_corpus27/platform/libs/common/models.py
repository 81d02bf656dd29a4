"""Pydantic bases shared by the services' schemas."""
from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

T = TypeVar("T")

# DynamoDB hands numbers back as Decimal; serialise money as strings, counts as ints.
Money = Annotated[Decimal, PlainSerializer(lambda v: f"{v:.2f}", return_type=str)]
Count = Annotated[int, Field(ge=0)]


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, str_max_length=512)


class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="ignore", from_attributes=True)


class Page(ResponseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class Health(ResponseModel):
    status: str = "ok"
    service: str
