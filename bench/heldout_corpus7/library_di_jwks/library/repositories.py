"""Data access over boto3 Table resources, one repository per table."""

from typing import Any

from boto3.dynamodb.conditions import Attr, Key

Item = dict[str, Any]
MAX_RENEWALS = 2


# -- condition builders, combined with & and | ---------------------------------
def exists(attribute: str):
    return Attr(attribute).exists()


def owned_by(username: str):
    return Attr("username").eq(username)


def in_status(*states: str):
    cond = Attr("status").eq(states[0])
    for state in states[1:]:
        cond = cond | Attr("status").eq(state)
    return cond


def renewable(username: str):
    return owned_by(username) & in_status("ACTIVE") & Attr("renewals").lt(MAX_RENEWALS)


class BookRepository:
    def __init__(self, table):
        self.table = table

    def search(self, field: str, text: str) -> list[Item]:
        resp = self.table.scan(
            FilterExpression=f"contains({field}, :q)",
            ExpressionAttributeValues={":q": text},
        )
        return resp["Items"]

    def get(self, isbn: str) -> Item | None:
        return self.table.get_item(Key={"isbn": isbn}).get("Item")

    def replace(self, isbn: str, book: Item, expected_version: int) -> Item:
        resp = self.table.update_item(
            Key={"isbn": isbn},
            UpdateExpression="SET #t = :t, #a = :a, #y = :y, #v = :next",
            ConditionExpression=Attr("version").eq(expected_version),
            ExpressionAttributeNames={"#t": "title", "#a": "author", "#y": "year", "#v": "version"},
            ExpressionAttributeValues={
                ":t": book["title"], ":a": book["author"], ":y": book["year"],
                ":next": expected_version + 1,
            },
            ReturnValues="ALL_NEW",
        )
        return resp["Attributes"]

    def set_copies(self, isbn: str, copies: int) -> Item:
        resp = self.table.update_item(
            Key={"isbn": isbn},
            UpdateExpression="SET copies_available = :c",
            ExpressionAttributeValues={":c": copies},
            ReturnValues="ALL_NEW",
        )
        return resp["Attributes"]

    def add_copies(self, isbn: str, delta: int) -> None:
        cond = Attr("copies_available").gt(0) if delta < 0 else exists("isbn")
        self.table.update_item(
            Key={"isbn": isbn},
            UpdateExpression="ADD copies_available :d",
            ConditionExpression=cond,
            ExpressionAttributeValues={":d": delta},
        )

    def bump_views(self, isbn: str) -> None:
        self.table.update_item(
            Key={"isbn": isbn},
            UpdateExpression="ADD view_count :one",
            ConditionExpression=exists("isbn"),
            ExpressionAttributeValues={":one": 1},
        )

    def import_many(self, books: list[Item]) -> None:
        self.table.batch_write_item(
            RequestItems={self.table.name: [{"PutRequest": {"Item": b}} for b in books]}
        )


class LoanRepository:
    def __init__(self, table):
        self.table = table

    def create(self, loan: Item) -> None:
        self.table.put_item(Item=loan, ConditionExpression=Attr("loan_id").not_exists())

    def get(self, loan_id: str) -> Item | None:
        return self.table.get_item(Key={"loan_id": loan_id}).get("Item")

    def for_member(self, username: str, start_key: Item | None):
        kwargs: dict[str, Any] = {
            "IndexName": "by_member",
            "KeyConditionExpression": Key("username").eq(username),
            "Limit": 50,
        }
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        resp = self.table.query(**kwargs)
        return resp["Items"], resp.get("LastEvaluatedKey")

    def count_active(self, username: str) -> int:
        resp = self.table.query(
            IndexName="by_member",
            KeyConditionExpression=Key("username").eq(username),
            FilterExpression=in_status("ACTIVE"),
            Select="COUNT",
        )
        return resp["Count"]

    def mark_returned(self, loan_id: str, returned_at: str) -> Item:
        resp = self.table.update_item(
            Key={"loan_id": loan_id},
            UpdateExpression="SET #s = :returned, returned_at = :at",
            ConditionExpression=exists("loan_id"),
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":returned": "RETURNED", ":at": returned_at},
            ReturnValues="ALL_NEW",
        )
        return resp["Attributes"]

    def renew(self, loan_id: str, username: str, new_due: str) -> Item:
        resp = self.table.update_item(
            Key={"loan_id": loan_id},
            UpdateExpression="SET due_date = :due ADD renewals :one",
            ConditionExpression=renewable(username),
            ExpressionAttributeValues={":due": new_due, ":one": 1},
            ReturnValues="ALL_NEW",
        )
        return resp["Attributes"]

    def mark_lost(self, loan_id: str, username: str, fine_cents: int) -> Item:
        resp = self.table.update_item(
            Key={"loan_id": loan_id},
            UpdateExpression="SET status = :lost, fine_cents = :fine",
            ConditionExpression=owned_by(username) & in_status("ACTIVE"),
            ExpressionAttributeValues={":lost": "LOST", ":fine": fine_cents},
            ReturnValues="ALL_NEW",
        )
        return resp["Attributes"]


class MemberRepository:
    def __init__(self, table):
        self.table = table

    def get(self, username: str) -> Item | None:
        return self.table.get_item(Key={"username": username}).get("Item")

    def patch(self, username: str, changes: Item) -> Item:
        resp = self.table.update_item(
            Key={"username": username},
            UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in changes),
            ConditionExpression=exists("username"),
            ExpressionAttributeNames={f"#{k}": k for k in changes},
            ExpressionAttributeValues={f":{k}": v for k, v in changes.items()},
            ReturnValues="ALL_NEW",
        )
        return resp["Attributes"]

    def set_quota(self, username: str, max_loans: int) -> Item:
        resp = self.table.update_item(
            Key={"username": username},
            UpdateExpression="SET max_loans = :m",
            ConditionExpression=exists("username"),
            ExpressionAttributeValues={":m": max_loans},
            ReturnValues="ALL_NEW",
        )
        return resp["Attributes"]


class ReviewRepository:
    def __init__(self, table):
        self.table = table

    def for_book(self, isbn: str) -> list[Item]:
        return self.table.query(KeyConditionExpression=Key("isbn").eq(isbn), Limit=100)["Items"]

    def put(self, review: Item) -> None:
        self.table.put_item(Item=review)

    def delete(self, isbn: str, username: str) -> None:
        self.table.delete_item(Key={"isbn": isbn, "username": username})
