"""Shared fixtures: one embedded DynamoDB server (moto, serialized, 127.0.0.1) per session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from dynaguard.demo.embedded import EmbeddedDynamoDB


@pytest.fixture(scope="session")
def dynamodb_server() -> Iterator[EmbeddedDynamoDB]:
    """The embedded DynamoDB API; tables are per test (unique names), state is shared."""
    with EmbeddedDynamoDB() as server:
        saved = {k: os.environ.get(k) for k in server.env()}
        os.environ.update(server.env())
        try:
            yield server
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
