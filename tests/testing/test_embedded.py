"""Each EmbeddedDynamoDB keeps its own tables: side by side, one after another, and on reset."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from dynaguard.demo.embedded import EmbeddedDynamoDB, EmbeddedError, create_table


def _client(server: EmbeddedDynamoDB) -> Any:
    return boto3.client("dynamodb", **server.client_kwargs())


def _tables(server: EmbeddedDynamoDB) -> list[str]:
    return list(_client(server).list_tables()["TableNames"])


def test_two_servers_side_by_side_keep_their_own_tables() -> None:
    # Given two servers running at once in this process
    with EmbeddedDynamoDB() as a, EmbeddedDynamoDB() as b:
        # When each creates a table
        create_table(_client(a), "only-in-a", hash_key="id")
        create_table(_client(b), "only-in-b", hash_key="id")
        # Then each sees its own, and resetting one leaves the other's alone
        assert (_tables(a), _tables(b)) == (["only-in-a"], ["only-in-b"])
        a.reset()
        assert (_tables(a), _tables(b)) == ([], ["only-in-b"])


def test_a_new_server_starts_empty_after_another_stopped() -> None:
    with EmbeddedDynamoDB() as first:
        create_table(_client(first), "left-behind", hash_key="id")
    with EmbeddedDynamoDB() as second:
        assert _tables(second) == []


def test_a_client_cannot_reach_another_servers_tables() -> None:
    # moto picks the account from this header; the server overwrites whatever the client sent.
    with EmbeddedDynamoDB() as a, EmbeddedDynamoDB() as b:
        create_table(_client(a), "secret", hash_key="id")
        spoofing = _client(b)
        spoofing.meta.events.register(
            "before-sign.dynamodb.*",
            lambda request, **_: request.headers.__setitem__("x-moto-account-id", a.account_id),
        )
        assert spoofing.list_tables()["TableNames"] == []


def test_moto_account_variable_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # It would outrank the per-instance account and make every instance share one store.
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111111111111")
    with pytest.raises(EmbeddedError, match="MOTO_ACCOUNT_ID is set"):
        EmbeddedDynamoDB().start()
