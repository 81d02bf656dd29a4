"""Pydantic helpers: input models that cannot carry server-controlled fields (on demand).

`extra="forbid"` turns an unexpected `owner_id` in a request body into a 422 instead of a
silently ignored (or, with `extra="allow"`, silently stored) field. Models are a first line
only: `model_construct` and `model_copy(update=...)` skip validation, frozen or not, so the
guard checks server-controlled fields again at write time (ServerFieldError).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from dynaguard.guard.types import Value


class InputModel(BaseModel):
    """Base class for request bodies: unknown fields are an error (422), not ignored."""

    model_config = ConfigDict(extra="forbid")


def input_model(
    model: type[BaseModel],
    *,
    exclude: Iterable[str],
    name: str | None = None,
    partial: bool = False,
) -> type[BaseModel]:
    """`model` without the `exclude`d (server-controlled) fields, extra fields forbidden.

    `partial=True` makes every field optional (default None) for PATCH bodies; pass the result
    through `changes()` so that only the fields the client sent are written.
    """
    dropped = set(exclude)
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        if field_name in dropped:
            continue
        clone = copy.copy(info)  # never mutate the caller's model
        annotation: Any = info.annotation
        if partial:
            # Only what the client sends is written (changes()), so absent means None here;
            # a default_factory would otherwise clash with the default (pydantic refuses both).
            clone.default = None
            clone.default_factory = None
            annotation = annotation | None
        fields[field_name] = (annotation, clone)
    config = ConfigDict(extra="forbid")
    title = name or f"{model.__name__}Input"
    created: type[BaseModel] = create_model(title, __config__=config, **fields)
    return created


def _plain(value: object) -> Value:
    # boto3 refuses floats (precision): numbers go to DynamoDB as Decimal.
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value  # type: ignore[return-value]  # the model's own field types


def changes(body: BaseModel) -> dict[str, Value]:
    """The fields the client actually sent, ready for `update()` (floats as Decimal)."""
    return {k: _plain(v) for k, v in body.model_dump(exclude_unset=True).items()}
