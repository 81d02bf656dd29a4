"""Pydantic helpers: input models that cannot carry server-controlled fields (on demand).

`extra="forbid"` turns an unexpected `owner_id` in a request body into a 422 instead of a
silently ignored (or, with `extra="allow"`, silently stored) field. Models are a first line
only: `model_construct` and `model_copy(update=...)` skip validation, frozen or not, so the
guard checks server-controlled fields again at write time (ServerFieldError).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from dynaguard.guard.convert import to_item
from dynaguard.guard.types import Value

__all__ = ["InputModel", "changes", "input_model"]


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

    `partial=True` makes every field optional for PATCH bodies, but not nullable: a client's
    `{"title": null}` is a 422 unless the field itself allows None. Pass the result through
    `changes()` so that only the fields the client sent are written.
    """
    if isinstance(exclude, str):
        raise TypeError(
            f"exclude must be a tuple or list of field names, not the string {exclude!r} "
            f"(a one-name tuple needs a comma: ({exclude!r},))"
        )
    dropped = set(exclude)
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        if field_name in dropped:
            continue
        clone = copy.copy(info)  # never mutate the caller's model
        annotation: Any = info.annotation
        if partial:
            # Only what the client sends is written (changes()), so absent means None here
            # (never validated, so never stored); a default_factory would clash with it. The
            # annotation stays as it was: an explicit null is refused unless it allowed None.
            clone.default = None
            clone.default_factory = None
        fields[field_name] = (annotation, clone)
    config = ConfigDict(extra="forbid")
    title = name or f"{model.__name__}Input"
    created: type[BaseModel] = create_model(title, __config__=config, **fields)
    return created


def changes(body: BaseModel) -> dict[str, Value]:
    """The fields the client actually sent, ready for `update()`: floats as Decimal, dates
    and datetimes as ISO 8601, UUIDs as str, Enums as their value (convert.py)."""
    return to_item(body.model_dump(exclude_unset=True))
