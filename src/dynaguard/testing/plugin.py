"""The dynaguard pytest plugin: an embedded DynamoDB for your tests, empty in each test.

Loaded automatically through the `pytest11` entry point `dynaguard` when dynaguard is
installed (or explicitly with `-p dynaguard.testing.plugin`). Its fixtures:

- `dynaguard_dynamodb`: the embedded DynamoDB (moto's server on 127.0.0.1, requests
  serialized so conditional writes are atomic, as in DynamoDB), with the standard AWS
  settings pointing at it for the duration of the test (`AWS_ENDPOINT_URL_DYNAMODB`,
  region, dummy credentials), so `boto3.resource("dynamodb")` and aioboto3 reach it
  unchanged. Every test starts with no tables: the server is started once per session and
  its state dropped between tests (microseconds), never restarted.
- `dynaguard_dynamodb_server`: the session's server itself, with no reset and no settings,
  for session-wide setup that is willing to manage its own state.
- `dynaguard_probe` / `dynaguard_probe_async`: probe an ASGI app in-process and fail the
  test on findings (dynaguard.testing.probe).

The fixtures need `dynaguard[demo]` (moto's server); without it they fail with a one-line
message saying what to install, and the plugin costs nothing to the tests that do not use it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dynaguard.demo.embedded import EmbeddedDynamoDB, EmbeddedError

# Fixtures defined in sibling modules join the plugin by being imported here.
from dynaguard.testing.probe import dynaguard_probe_async_fixture, dynaguard_probe_fixture

# Settings that would send an SDK somewhere else or make it reject the dummy credentials.
_UNSET = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


@pytest.fixture(scope="session")
def dynaguard_dynamodb_server() -> Iterator[EmbeddedDynamoDB]:
    """The embedded DynamoDB for the whole session (state shared between tests)."""
    failure: str | None = None
    try:
        server = EmbeddedDynamoDB().start()
    except EmbeddedError as exc:
        failure = f"dynaguard_dynamodb: {exc}"
    if failure is not None:  # outside the except block: one line, no chained exception
        pytest.fail(failure, pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def dynaguard_dynamodb(
    dynaguard_dynamodb_server: EmbeddedDynamoDB, monkeypatch: pytest.MonkeyPatch
) -> Iterator[EmbeddedDynamoDB]:
    """An embedded DynamoDB with no tables, and the AWS settings pointing at it, for one test."""
    server = dynaguard_dynamodb_server
    server.reset()
    for name in _UNSET:
        monkeypatch.delenv(name, raising=False)
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    try:
        yield server
    finally:
        server.reset()


__all__ = [
    "dynaguard_dynamodb",
    "dynaguard_dynamodb_server",
    "dynaguard_probe_async_fixture",
    "dynaguard_probe_fixture",
]
