"""Shared pieces of the integration tests: the checkout's root and its JSON schemas."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent


def validate(doc: object, schema_file: str) -> None:
    """Raise with the first errors when `doc` breaks the schema in tests/integrations/."""
    schema = json.loads((HERE / schema_file).read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
