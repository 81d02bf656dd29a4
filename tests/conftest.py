"""Shared fixtures: one embedded DynamoDB server (moto, serialized, 127.0.0.1) per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dynaguard.demo.embedded import EmbeddedDynamoDB


@pytest.fixture(scope="session")
def dynamodb_server() -> Iterator[EmbeddedDynamoDB]:
    """The embedded DynamoDB API; tables are per test (unique names), state is shared."""
    with EmbeddedDynamoDB() as server, pytest.MonkeyPatch.context() as env:
        for name, value in server.env().items():
            env.setenv(name, value)
        yield server
