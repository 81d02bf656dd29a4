"""Every method with attribute names that are DynamoDB reserved words (key, owner, version too)."""

from __future__ import annotations

from typing import Any

import pytest
from guard_helpers import OWNER_INDEX, MakeTable, raw_item

from dynaguard.guard import Conflict, NotFound, OwnedTable

# All reserved: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html
RESERVED = {"data": "d", "status": "open", "comment": "c", "timestamp": 1, "count": 2}


@pytest.fixture
def reserved(make_table: MakeTable) -> tuple[OwnedTable, Any]:
    """Key `name`, owner `owner`, version `size`, declared server field `date`."""
    table = make_table(hash_key="name", owner="owner")
    guarded = OwnedTable(
        table, key=("name",), owner="owner", version="size", server_fields=["date"]
    )
    return guarded, table


def test_every_method_works_with_reserved_names(reserved: tuple[OwnedTable, Any]) -> None:
    owned, table = reserved
    key = {"name": "n1"}
    created = owned.create({"name": "n1", **RESERVED}, owner="user", server_values={"date": "d0"})
    assert created == {"name": "n1", **RESERVED, "date": "d0", "owner": "user", "size": 1}
    assert owned.get(key, owner="user") == created
    updated = owned.update(key, {"data": "e", "status": "closed"}, owner="user", expected_version=1)
    assert (updated["data"], updated["status"], updated["size"]) == ("e", "closed", 2)
    with pytest.raises(Conflict):
        owned.update(key, {"data": "f"}, owner="user", expected_version=1)
    page = owned.list(owner="user", index=OWNER_INDEX)
    assert page.items == [updated]
    moved = owned.transfer(key, owner="user", new_owner="other", expected_version=2)
    assert (moved["owner"], moved["size"]) == ("other", 3)
    with owned.transaction() as tx:
        tx.check(key, owner="other", expected_version=3)
        tx.create({"name": "n2", "data": "x"}, owner="other")
    with pytest.raises(NotFound):
        owned.delete(key, owner="user")
    owned.delete(key, owner="other", expected_version=3)
    assert raw_item(table, key) is None
    assert owned.get({"name": "n2"}, owner="other")["data"] == "x"


def test_values_that_look_like_placeholders_stay_values(reserved: tuple[OwnedTable, Any]) -> None:
    owned, _ = reserved
    tricky = {"name": "n1", "data": ":v0", "status": "#n0", "comment": ") OR (1=1"}
    owned.create(tricky, owner="user")
    updated = owned.update({"name": "n1"}, {"data": ":v1 = :v1", "#n0": ":v0"}, owner="user")
    assert (updated["data"], updated["#n0"], updated["comment"]) == (
        ":v1 = :v1",
        ":v0",
        ") OR (1=1",
    )
