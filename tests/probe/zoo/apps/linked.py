"""Ids that only a producer -> consumer link can resolve (added by the prober helper).

- `tickets`: the create answers `{"ref": ...}` and the item path is `/tickets/{ticket_key}`;
  no name matches, only the spec's OpenAPI `links` object says `ref` feeds `ticket_key`.
- `contacts`: the item path is `/contacts/{address}` (`format: email`) and the answer's
  only e-mail field is `contact_email`; only the matching format links them.

Each has one plant, `bola_read` (any signed-in user reads any object); `None` is the twin.
"""

# No `from __future__ import annotations`: FastAPI evaluates the route annotations.

import uuid
from typing import Annotated, Any

from botocore.exceptions import ClientError
from fastapi import Depends, FastAPI, HTTPException, Path, Response
from pydantic import BaseModel, Field

from tests.probe.zoo.apps.common import RequestLog, Zoo, dynamo_table, scan_keys, table_name
from tests.probe.zoo.apps.safety import _accounts, _login


class TicketIn(BaseModel):
    subject: str


class ContactIn(BaseModel):
    name: str
    contact_email: str = Field(json_schema_extra={"format": "email"})


class ContactOut(BaseModel):
    contact_email: str = Field(json_schema_extra={"format": "email"})
    name: str
    owner: str


def _store(api: FastAPI, table: Any, key: str, bug: str | None, Me: Any) -> Any:
    """Create-once storage and the owner check every item route uses (reads skip it if planted)."""

    def put(item: dict[str, Any]) -> None:
        try:
            table.put_item(
                Item=item,
                ConditionExpression="attribute_not_exists(#k)",
                ExpressionAttributeNames={"#k": key},
            )
        except ClientError as exc:
            raise HTTPException(409, "already exists") from exc

    def mine(value: str, user: dict[str, Any], *, reading: bool = False) -> dict[str, Any]:
        item = table.get_item(Key={key: value}).get("Item")
        if item is None or (item["owner"] != user["username"] and not (reading and bug)):
            raise HTTPException(404, "not found")
        return dict(item)

    return put, mine


def tickets(bug: str | None) -> Zoo:
    """Ids reachable only through the create answer's OpenAPI link (`ref` -> `ticket_key`)."""
    users = dynamo_table(table_name("link-users"), "username")
    table = dynamo_table(table_name("tickets"), "ref")
    api = FastAPI(title="linked tickets")
    Me = Annotated[dict[str, Any], Depends(_accounts(api, users))]
    put, mine = _store(api, table, "ref", bug, Me)
    link = {"operationId": "readTicket", "parameters": {"ticket_key": "$response.body#/ref"}}

    @api.post("/tickets", status_code=201, responses={201: {"links": {"ReadIt": link}}})
    def add(body: TicketIn, user: Me) -> dict[str, str]:
        item = {"ref": uuid.uuid4().hex, "subject": body.subject, "owner": user["username"]}
        put(item)
        return item

    @api.get("/tickets/{ticket_key}", operation_id="readTicket")
    def read(ticket_key: str, user: Me) -> dict[str, str]:
        return mine(ticket_key, user, reading=True)

    @api.delete("/tickets/{ticket_key}", status_code=204)
    def remove(ticket_key: str, user: Me) -> Response:
        mine(ticket_key, user)
        table.delete_item(Key={"ref": ticket_key})
        return Response(status_code=204)

    return _zoo(api, users, table, "ref", "ticket")


def contacts(bug: str | None) -> Zoo:
    """Ids reachable only by format: `{address}` (email) <- the answer's `contact_email`."""
    users = dynamo_table(table_name("fmt-users"), "username")
    table = dynamo_table(table_name("contacts"), "contact_email")
    api = FastAPI(title="contacts by e-mail")
    Me = Annotated[dict[str, Any], Depends(_accounts(api, users))]
    put, mine = _store(api, table, "contact_email", bug, Me)
    Address = Annotated[str, Path(json_schema_extra={"format": "email"})]

    @api.post("/contacts", status_code=201)
    def add(body: ContactIn, user: Me) -> ContactOut:
        item = {**body.model_dump(), "owner": user["username"]}
        put(item)
        return ContactOut(**item)

    @api.get("/contacts/{address}")
    def read(address: Address, user: Me) -> ContactOut:
        return ContactOut(**mine(address, user, reading=True))

    @api.delete("/contacts/{address}", status_code=204)
    def remove(address: Address, user: Me) -> Response:
        mine(address, user)
        table.delete_item(Key={"contact_email": address})
        return Response(status_code=204)

    return _zoo(api, users, table, "contact_email", "contact")


def _zoo(api: FastAPI, users: Any, table: Any, key: str, kind: str) -> Zoo:
    return Zoo(
        app=RequestLog(api),
        snapshot=lambda: (
            {f"user:{k}" for k in scan_keys(users, "username")}
            | {f"{kind}:{k}" for k in scan_keys(table, key)}
        ),
        login=_login,
    )
