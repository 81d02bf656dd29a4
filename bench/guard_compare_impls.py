"""The operations of bench/guard_compare.py, written with raw boto3, the guard, and PynamoDB.

Each implementation answers the same questions a multi-user service asks, with the same
outcome: a get of someone else's item is "not found"; an update or delete with a stale
version is told apart from "not yours or missing" (409 vs 404) without guessing.
`prepare(i)` runs untimed and uncounted; `call(arg)` is the operation measured.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import boto3
from botocore.exceptions import ClientError

from dynaguard.demo.embedded import CREDENTIALS, REGION, EmbeddedDynamoDB
from dynaguard.guard import Attr, Conflict, NotFound, OwnedTable

OWNER, OTHER, LISTER = "alice", "bob", "lister"
SEEDED = 20  # items of LISTER, all on one page of "list by owner"
# Every seeded item holds CREDITS; a quota move takes one from SOURCE (OWNER's) to TARGET
# (OTHER's), on condition that SOURCE holds at least one: concurrent moves never conflict.
SOURCE, TARGET, CREDITS = "acct-src", "acct-dst", 1_000_000
Prepare = Callable[[int], Any]
Call = Callable[[Any], object]


@dataclass
class Impl:
    """One implementation: how to seed an item, and each operation as (prepare, call)."""

    seed: Callable[[str, str], object]
    ops: dict[str, tuple[Prepare, Call]]


class Stale(Exception):
    """The item changed since the caller read it (an HTTP 409/412)."""


class Missing(Exception):
    """Not the caller's item, or no item (one answer for both: an HTTP 404)."""


def _session() -> boto3.session.Session:
    return boto3.session.Session(region_name=REGION, **CREDENTIALS)


def _common(
    seed: Callable[[str, str], object],
    *,
    create: Call,
    get: Call,
    update: Callable[..., object],
    delete: Call,
    list_page: Call,
    move: Call,
) -> Impl:
    """The operations from an implementation's functions; seeded items, fresh ids per call.

    `update(item_id, expected=None)` uses the version it last saw, or `expected`; it raises
    Stale or Missing when the condition fails, whatever the library's own errors are.
    """

    def stale(item_id: str) -> object:
        try:
            update(item_id, expected=1)
        except Stale:
            return "409"
        raise AssertionError("a stale update succeeded")

    seed("got", OWNER)
    seed("upd", OWNER)
    seed("stale", OWNER)
    update("stale")  # past version 1
    seed(SOURCE, OWNER)
    seed(TARGET, OTHER)
    ops: dict[str, tuple[Prepare, Call]] = {
        "create": (lambda i: f"new-{i}", create),
        "get (owner checked)": (lambda i: "got", get),
        "update (owner + version)": (lambda i: "upd", update),
        "update, stale version (409, not 404)": (lambda i: "stale", stale),
        "delete (owner + version)": (lambda i: seed(f"del-{i}", OWNER), delete),
        "list by owner (first page)": (lambda i: LISTER, list_page),
        "quota move (conditional ADD, 2 users, 1 transaction)": (lambda i: None, move),
    }
    return Impl(seed=seed, ops=ops)


def raw_boto3(server: EmbeddedDynamoDB, name: str, counter: Callable[..., None]) -> Impl:
    """A boto3 Table resource with hand-written conditions (what the README's example fixes)."""
    table = _session().resource("dynamodb", endpoint_url=server.endpoint_url).Table(name)
    table.meta.client.meta.events.register("before-send.dynamodb", counter)
    names = {"#o": "owner_id", "#v": "version"}
    versions: dict[str, int] = {}

    def create(item_id: str) -> object:
        item = {"item_id": item_id, "owner_id": OWNER, "data": "x", "version": 1}
        table.put_item(Item=item, ConditionExpression="attribute_not_exists(item_id)")
        versions[item_id] = 1
        return item

    def seed(item_id: str, owner: str) -> str:
        item = {
            "item_id": item_id,
            "owner_id": owner,
            "data": "x",
            "version": 1,
            "credits": CREDITS,
        }
        table.put_item(Item=item)
        versions[item_id] = 1
        return item_id

    def get(item_id: str) -> object:
        item = table.get_item(Key={"item_id": item_id}, ConsistentRead=True).get("Item")
        if item is None or item["owner_id"] != OWNER:
            raise Missing(item_id)
        return item

    def conditional(item_id: str, expected: int, write: Callable[..., Any], **kw: Any) -> Any:
        try:
            return write(
                Key={"item_id": item_id},
                ConditionExpression="#o = :me AND #v = :ev",
                ExpressionAttributeNames={**names, **kw.pop("names", {})},
                ExpressionAttributeValues={":me": OWNER, ":ev": expected, **kw.pop("values", {})},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
                **kw,
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            old = exc.response.get("Item")  # ALL_OLD, typed: {"owner_id": {"S": ...}}
            if old is None or old["owner_id"]["S"] != OWNER:
                raise Missing(item_id) from None
            raise Stale(item_id) from None

    def update(item_id: str, expected: int | None = None) -> object:
        answer = conditional(
            item_id,
            versions[item_id] if expected is None else expected,
            table.update_item,
            UpdateExpression="SET #d = :d, #v = #v + :one",
            names={"#d": "data"},
            values={":d": "y", ":one": 1},
            ReturnValues="ALL_NEW",
        )
        versions[item_id] = int(answer["Attributes"]["version"])
        return answer["Attributes"]

    def delete(item_id: str) -> object:
        return conditional(item_id, versions.pop(item_id), table.delete_item)

    def list_page(owner: str) -> object:
        from boto3.dynamodb.conditions import Key

        page = table.query(IndexName="by_owner", KeyConditionExpression=Key("owner_id").eq(owner))
        assert len(page["Items"]) == SEEDED
        return page["Items"]

    def move(_: object) -> object:
        def add(key: str, owner: str, amount: int, at_least: int | None) -> dict[str, Any]:
            values: dict[str, Any] = {":n": amount, ":me": owner}
            condition = "#o = :me"
            if at_least is not None:
                condition += " AND #c >= :least"
                values[":least"] = at_least
            return {
                "Update": {
                    "TableName": name,
                    "Key": {"item_id": key},
                    "UpdateExpression": "ADD #c :n",
                    "ConditionExpression": condition,
                    "ExpressionAttributeNames": {"#c": "credits", "#o": "owner_id"},
                    "ExpressionAttributeValues": values,
                }
            }

        items = [add(SOURCE, OWNER, -1, 1), add(TARGET, OTHER, 1, None)]
        return table.meta.client.transact_write_items(TransactItems=items)

    return _common(
        seed, create=create, get=get, update=update, delete=delete, list_page=list_page, move=move
    )


def guarded(
    server: EmbeddedDynamoDB, name: str, counter: Callable[..., None], history: int = 16
) -> Impl:
    """dynaguard.guard's OwnedTable: owner and version in every condition, one request each."""
    table = _session().resource("dynamodb", endpoint_url=server.endpoint_url).Table(name)
    table.meta.client.meta.events.register("before-send.dynamodb", counter)
    items = OwnedTable(
        table, key=("item_id",), owner="owner_id", version="version", history=history
    )
    versions: dict[str, int] = {}

    def create(item_id: str) -> object:
        item = items.create({"item_id": item_id, "data": "x"}, owner=OWNER)
        versions[item_id] = int(item["version"])  # type: ignore[arg-type]
        return item

    def seed(item_id: str, owner: str) -> str:
        items.create({"item_id": item_id, "data": "x", "credits": CREDITS}, owner=owner)
        versions[item_id] = 1
        return item_id

    def get(item_id: str) -> object:
        return items.get({"item_id": item_id}, owner=OWNER)

    def update(item_id: str, expected: int | None = None) -> object:
        version = versions[item_id] if expected is None else expected
        try:
            item = items.update(
                {"item_id": item_id}, {"data": "y"}, owner=OWNER, expected_version=version
            )
        except Conflict:
            raise Stale(item_id) from None
        except NotFound:
            raise Missing(item_id) from None
        versions[item_id] = int(item["version"])  # type: ignore[arg-type]
        return item

    def delete(item_id: str) -> object:
        items.delete({"item_id": item_id}, owner=OWNER, expected_version=versions.pop(item_id))
        return None

    def list_page(owner: str) -> object:
        page = items.list(owner=owner, index="by_owner", limit=50)
        assert len(page.items) == SEEDED
        return page

    def move(_: object) -> object:
        with items.transaction() as tx:
            tx.update(
                {"item_id": SOURCE}, owner=OWNER, add={"credits": -1}, when=Attr("credits").gte(1)
            )
            tx.update({"item_id": TARGET}, owner=OTHER, add={"credits": 1})
        return tx.results

    return _common(
        seed, create=create, get=get, update=update, delete=delete, list_page=list_page, move=move
    )


def _pynamodb_model(server: EmbeddedDynamoDB, name: str) -> Any:
    """The PynamoDB model of the table: a VersionAttribute and the owner index."""
    from pynamodb.attributes import NumberAttribute, UnicodeAttribute, VersionAttribute
    from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
    from pynamodb.models import Model

    class ByOwner(GlobalSecondaryIndex["Doc"]):
        class Meta:
            index_name = "by_owner"
            projection = AllProjection()

        owner_id = UnicodeAttribute(hash_key=True)

    class Doc(Model):
        class Meta:
            table_name = name
            host = server.endpoint_url
            region = REGION
            aws_access_key_id = CREDENTIALS["aws_access_key_id"]
            aws_secret_access_key = CREDENTIALS["aws_secret_access_key"]

        item_id = UnicodeAttribute(hash_key=True)
        owner_id = UnicodeAttribute()
        data = UnicodeAttribute(null=True)
        credits = NumberAttribute(null=True)
        version = VersionAttribute()
        by_owner = ByOwner()

    return Doc


def pynamodb(server: EmbeddedDynamoDB, name: str, counter: Callable[..., None]) -> Impl:
    """A PynamoDB 6 model with a VersionAttribute and an owner index."""
    from pynamodb.connection import Connection
    from pynamodb.exceptions import DeleteError, UpdateError
    from pynamodb.transactions import TransactWrite

    Doc = _pynamodb_model(server, name)
    Doc._get_connection().connection.client.meta.events.register("before-send.dynamodb", counter)
    versions: dict[str, int] = {}

    def create(item_id: str) -> object:
        doc = Doc(item_id=item_id, owner_id=OWNER, data="x")
        doc.save(condition=Doc.item_id.does_not_exist())
        versions[item_id] = doc.version
        return doc

    def seed(item_id: str, owner: str) -> str:
        Doc(item_id=item_id, owner_id=owner, data="x", credits=CREDITS).save()
        versions[item_id] = 1
        return item_id

    def get(item_id: str) -> object:
        try:
            doc = Doc.get(item_id, consistent_read=True)
        except Doc.DoesNotExist:
            raise Missing(item_id) from None
        if doc.owner_id != OWNER:
            raise Missing(item_id)
        return doc

    def explain(item_id: str, expected: int) -> Exception:
        # The failed condition says nothing about why: a second read tells 404 from 409.
        try:
            current = get(item_id)
        except Missing as exc:
            return exc
        return Stale(item_id) if current.version != expected else Missing(item_id)  # type: ignore[attr-defined]

    def update(item_id: str, expected: int | None = None) -> object:
        version = versions[item_id] if expected is None else expected
        doc = Doc(item_id=item_id, version=version)
        try:
            doc.update(actions=[Doc.data.set("y")], condition=Doc.owner_id == OWNER)
        except UpdateError:
            raise explain(item_id, version) from None
        versions[item_id] = doc.version
        return doc

    def delete(item_id: str) -> object:
        version = versions.pop(item_id)
        try:
            return Doc(item_id=item_id, version=version).delete(condition=Doc.owner_id == OWNER)
        except DeleteError:
            raise explain(item_id, version) from None

    def list_page(owner: str) -> object:
        docs = list(Doc.by_owner.query(owner, limit=50))
        assert len(docs) == SEEDED
        return docs

    connection = Connection(region=REGION, host=server.endpoint_url)
    connection.client.meta.events.register("before-send.dynamodb", counter)

    def move(_: object) -> object:
        # No version condition: concurrent moves must not invalidate each other.
        with TransactWrite(connection=connection) as tx:
            tx.update(
                Doc(item_id=SOURCE),
                actions=[Doc.credits.add(-1)],
                condition=(Doc.owner_id == OWNER) & (Doc.credits >= 1),
                add_version_condition=False,
            )
            tx.update(
                Doc(item_id=TARGET),
                actions=[Doc.credits.add(1)],
                condition=Doc.owner_id == OTHER,
                add_version_condition=False,
            )
        return tx

    return _common(
        seed, create=create, get=get, update=update, delete=delete, list_page=list_page, move=move
    )


IMPLEMENTATIONS: dict[str, Callable[[EmbeddedDynamoDB, str, Callable[..., None]], Impl]] = {
    "boto3": raw_boto3,
    "guard": guarded,
    # The same with a one-slot write history: what the default 16 slots cost per write.
    "guard-h1": partial(guarded, history=1),
    "pynamodb": pynamodb,
}
