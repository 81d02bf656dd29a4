"""Shared fixtures: one embedded DynamoDB server (moto, serialized, 127.0.0.1) per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dynaguard.demo.embedded import EmbeddedDynamoDB

# Every subprocess a test starts (`python -m dynaguard`, the demo's app servers, pytest
# runs of users' suites) must run this checkout's code, whichever Python or venv runs the
# suite and whatever copy is installed: put src/ first on their path.
_SRC = str(Path(__file__).resolve().parents[1] / "src")
_REST = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != _SRC]
os.environ["PYTHONPATH"] = os.pathsep.join([_SRC, *_REST])


@pytest.fixture(scope="session")
def dynamodb_server() -> Iterator[EmbeddedDynamoDB]:
    """The embedded DynamoDB API; tables are per test (unique names), state is shared."""
    with EmbeddedDynamoDB() as server, pytest.MonkeyPatch.context() as env:
        for name, value in server.env().items():
            env.setenv(name, value)
        yield server
