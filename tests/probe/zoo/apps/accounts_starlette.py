"""An accounts service in plain Starlette with a hand-written OpenAPI 3.0 YAML document.

As small auth services are written: registration answers the new account and a token,
login takes an e-mail and a password, the spec lives in `openapi.yaml` (served at
`/openapi.yaml`) and names `http://localhost:8000` as its server, and `debug=True` was
left on in one deployment.
"""

from __future__ import annotations

import uuid
from typing import Any

from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tests.probe.zoo.apps.common import (
    PASSWORD,
    RequestLog,
    Zoo,
    dynamo_table,
    expect_ok,
    hash_password,
    issue,
    scan_keys,
    subject,
    table_name,
)

BUGS = {
    "register_admin": "POST /register copies every body field, is_admin included",
    "enumeration": "POST /login says 'no such account' for an unknown e-mail",
    "bola_read": "GET /accounts/{account_id} lets any signed-in account read any other",
    "unvalidated": "GET /accounts/{account_id} parses the id unchecked (ValueError, 500)",
    "debug_page": "unvalidated, under Starlette(debug=True): the 500 is a traceback page",
}

SPEC = """\
openapi: 3.0.3
info: {title: accounts, version: "2.1"}
servers:
  - url: http://localhost:8000
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer, bearerFormat: JWT}
  schemas:
    Account:
      type: object
      properties:
        account_id: {type: string, format: uuid, readOnly: true}
        email: {type: string, format: email}
        name: {type: string}
        is_admin: {type: boolean, readOnly: true}
    Registration:
      type: object
      required: [email, password, name]
      properties:
        email: {type: string, format: email}
        password: {type: string, minLength: 8}
        name: {type: string}
    Credentials:
      type: object
      required: [email, password]
      properties:
        email: {type: string, format: email}
        password: {type: string}
security:
  - bearer: []
paths:
  /register:
    post:
      security: []
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Registration"}
      responses:
        "201":
          description: the new account and a token for it
          content:
            application/json:
              schema:
                type: object
                properties:
                  account: {$ref: "#/components/schemas/Account"}
                  token: {type: string}
        "409": {description: e-mail already registered}
  /login:
    post:
      security: []
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Credentials"}
      responses:
        "200":
          description: a token
          content:
            application/json:
              schema: {type: object, properties: {token: {type: string}}}
        "401": {description: bad credentials}
  /me:
    get:
      responses:
        "200":
          description: your account
          headers:
            ETag: {schema: {type: string}}
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Account"}
    patch:
      parameters:
        - {name: If-Match, in: header, required: true, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {name: {type: string}}}
      responses:
        "200":
          description: your account
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Account"}
        "412": {description: the account changed since you read it}
        "428": {description: If-Match missing}
    delete:
      responses:
        "204": {description: account closed}
  /accounts/{account_id}:
    get:
      parameters:
        - {name: account_id, in: path, required: true, schema: {type: string, format: uuid}}
      responses:
        "200":
          description: the account
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Account"}
        "404": {description: no such account}
"""


def make_app(bug: str | None = None) -> Zoo:  # noqa: PLR0915
    """The accounts service with one planted bug (None: the clean twin)."""
    assert bug is None or bug in BUGS, bug
    table = dynamo_table(table_name("accounts"), "account_id")

    def public(item: dict[str, Any]) -> dict[str, Any]:
        return {k: item.get(k) for k in ("account_id", "email", "name", "is_admin")}

    def by_email(email: str) -> dict[str, Any] | None:
        items = table.scan(FilterExpression=Attr("email").eq(email))["Items"]
        return items[0] if items else None

    def caller(request: Request) -> dict[str, Any] | None:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        account_id = subject(token) if token else None
        item = table.get_item(Key={"account_id": account_id}).get("Item") if account_id else None
        return item

    def denied() -> Response:
        return JSONResponse({"error": "unauthorized"}, status_code=401)

    async def register(request: Request) -> Response:
        body = await request.json()
        if not isinstance(body, dict) or not all(
            isinstance(body.get(k), str) for k in ("email", "password", "name")
        ):
            return JSONResponse({"error": "email, password and name are required"}, 422)
        if by_email(body["email"]) is not None:
            return JSONResponse({"error": "e-mail already registered"}, 409)
        item: dict[str, Any] = {"account_id": str(uuid.uuid4()), "is_admin": False, "rev": 1}
        # The planted version stores the body as sent: whatever fields the client chose.
        given = (
            {k: v for k, v in body.items() if k != "password"}
            if bug == "register_admin"
            else {
                "email": body["email"],
                "name": body["name"],
            }
        )
        item |= {**given, "pw": hash_password(body["password"])}
        table.put_item(Item=item)
        return JSONResponse({"account": public(item), "token": issue(item["account_id"])}, 201)

    async def login(request: Request) -> Response:
        body = await request.json()
        item = by_email(str(body.get("email"))) if isinstance(body, dict) else None
        if item is None and bug == "enumeration":
            return JSONResponse({"error": "no account with this e-mail"}, 404)
        if item is None or item["pw"] != hash_password(str(body.get("password"))):
            return JSONResponse({"error": "wrong e-mail or password"}, 401)
        return JSONResponse({"token": issue(item["account_id"])})

    async def me(request: Request) -> Response:
        user = caller(request)
        if user is None:
            return denied()
        if request.method == "DELETE":
            table.delete_item(Key={"account_id": user["account_id"]})
            return Response(status_code=204)
        if request.method == "PATCH":
            # Optimistic locking the HTTP way (RFC 9110 13.1.1): If-Match the ETag you read.
            seen = request.headers.get("if-match")
            if seen is None:
                return JSONResponse({"error": "If-Match required"}, 428)
            body = await request.json()
            name = body.get("name") if isinstance(body, dict) else None
            if not isinstance(name, str):
                return JSONResponse({"error": "name must be a string"}, 422)
            try:
                table.put_item(
                    Item={**user, "name": name, "rev": int(user["rev"]) + 1},
                    ConditionExpression=Attr("rev").eq(int(seen.strip('"') or -1)),
                )
            except (ClientError, ValueError):
                return JSONResponse({"error": "the account changed; read it again"}, 412)
            user = {**user, "name": name, "rev": int(user["rev"]) + 1}
        return JSONResponse(public(user), headers={"ETag": f'"{int(user["rev"])}"'})

    async def account(request: Request) -> Response:
        user = caller(request)
        if user is None:
            return denied()
        raw = request.path_params["account_id"]
        if bug in ("unvalidated", "debug_page"):
            account_id = str(uuid.UUID(raw))  # ValueError on anything else: a 500
        else:
            try:
                account_id = str(uuid.UUID(raw))
            except ValueError:
                return JSONResponse({"error": "no such account"}, 404)
        allowed = bug == "bola_read" or user["is_admin"] or account_id == user["account_id"]
        item = table.get_item(Key={"account_id": account_id}).get("Item") if allowed else None
        if item is None:
            return JSONResponse({"error": "no such account"}, 404)
        return JSONResponse(public(item))

    async def spec(request: Request) -> Response:
        return PlainTextResponse(SPEC, media_type="application/yaml")

    app = Starlette(
        debug=bug == "debug_page",
        routes=[
            Route("/openapi.yaml", spec),
            Route("/register", register, methods=["POST"]),
            Route("/login", login, methods=["POST"]),
            Route("/me", me, methods=["GET", "PATCH", "DELETE"]),
            Route("/accounts/{account_id}", account),
        ],
    )

    async def login_as(client: Any, name: str) -> str:
        creds = {"email": f"{name}@accounts.example", "password": PASSWORD}
        await client.post("/register", json={**creds, "name": name.title()})
        answer = await client.post("/login", json=creds)
        return f"Authorization: Bearer {expect_ok(answer).json()['token']}"

    def snapshot() -> set[str]:
        return {f"account:{k}" for k in scan_keys(table, "account_id", "email")}

    return Zoo(app=RequestLog(app), snapshot=snapshot, login=login_as, spec="/openapi.yaml")
