"""An orders API in Flask on SQLite: integer ids, PUT full replace, bare-list answers.

As small Flask services are written: API keys in `X-API-Key`, a hand-written Swagger
2.0 document served at `/swagger.json` (with `basePath: /api` and the developer's
`host: localhost:5000`), and `Flask` served through a WSGI -> ASGI adapter (a2wsgi).
"""

from __future__ import annotations

import secrets
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from a2wsgi import WSGIMiddleware
from flask import Flask, abort, g, jsonify, request
from werkzeug.debug import DebuggedApplication

from tests.probe.zoo.apps.common import PASSWORD, RequestLog, Zoo, expect_ok, hash_password

BUGS = {
    "bola_read": "GET /orders/<id> does not compare the owner",
    "bola_write": "PUT and DELETE /orders/<id> do not compare the owner",
    "sequential_ids": "ids are SQLite's AUTOINCREMENT (1, 2, 3...)",
    "sql_leak": "GET /orders/<id> formats the id into SQL and returns the sqlite3 error",
    "out_of_range": "GET /orders/<id> passes ids over 2**63 to SQLite (OverflowError, 500)",
    "debug_page": "out_of_range under Werkzeug's debugger: the 500 is a traceback page",
    "id_tamper": "PUT /orders/<id> honours an `id` in the body (the order moves)",
}
MAX_ID = 2**63 - 1
SCHEMA = """
CREATE TABLE users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, api_key TEXT);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY AUTOINCREMENT, owner TEXT NOT NULL,
  item TEXT NOT NULL, quantity INTEGER NOT NULL, note TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL DEFAULT 1
);
"""


def swagger() -> dict[str, Any]:
    """The hand-written Swagger 2.0 document, as such projects keep it next to the code."""
    order = {
        "type": "object",
        "properties": {
            "id": {"type": "integer", "format": "int64", "readOnly": True},
            "item": {"type": "string"},
            "quantity": {"type": "integer", "minimum": 1},
            "note": {"type": "string"},
            "owner": {"type": "string", "readOnly": True},
            "version": {"type": "integer", "readOnly": True},
        },
    }
    order_in = {
        "type": "object",
        "required": ["item", "quantity", "note"],
        "properties": {k: order["properties"][k] for k in ("item", "quantity", "note")},  # type: ignore[index]
    }
    # A replace sends back the version it read: a stale one is refused (409).
    order_put = {
        "type": "object",
        "required": ["item", "quantity", "note", "version"],
        "properties": {**order_in["properties"], "version": {"type": "integer"}},  # type: ignore[dict-item]
    }
    oid = {"name": "order_id", "in": "path", "required": True, "type": "integer"}
    body = {
        "name": "body",
        "in": "body",
        "required": True,
        "schema": {"$ref": "#/definitions/OrderIn"},
    }
    ok = {"description": "the order", "schema": {"$ref": "#/definitions/Order"}}
    missing = {"description": "no such order"}
    return {
        "swagger": "2.0",
        "info": {"title": "orders", "version": "1.4"},
        "host": "localhost:5000",
        "basePath": "/api",
        "schemes": ["http"],
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "securityDefinitions": {"key": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
        "security": [{"key": []}],
        "definitions": {"Order": order, "OrderIn": order_in, "OrderPut": order_put},
        "paths": {
            "/register": {
                "post": {
                    "security": [],
                    "parameters": [
                        {
                            "name": "body",
                            "in": "body",
                            "schema": {
                                "type": "object",
                                "required": ["username", "password"],
                                "properties": {
                                    "username": {"type": "string"},
                                    "password": {"type": "string"},
                                },
                            },
                        }
                    ],
                    "responses": {"201": {"description": "registered; the API key"}},
                }
            },
            "/orders": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "your orders",
                            "schema": {"type": "array", "items": {"$ref": "#/definitions/Order"}},
                        }
                    }
                },
                "post": {"parameters": [body], "responses": {"201": ok}},
            },
            "/orders/{order_id}": {
                "get": {"parameters": [oid], "responses": {"200": ok, "404": missing}},
                "put": {
                    "parameters": [oid, {**body, "schema": {"$ref": "#/definitions/OrderPut"}}],
                    "responses": {"200": ok, "404": missing, "409": {"description": "stale"}},
                },
                "delete": {
                    "parameters": [oid],
                    "responses": {"204": {"description": "deleted"}, "404": missing},
                },
            },
        },
    }


def make_app(bug: str | None = None) -> Zoo:  # noqa: PLR0915
    """The orders API with one planted bug (None: the clean twin)."""
    assert bug is None or bug in BUGS, bug
    db_path = Path(tempfile.mkdtemp(prefix="zoo-orders-")) / "orders.db"
    with sqlite3.connect(db_path) as conn:
        conn.executescript(SCHEMA)
    app = Flask("orders")

    def db() -> sqlite3.Connection:
        if "db" not in g:
            g.db = sqlite3.connect(db_path)
            g.db.row_factory = sqlite3.Row
        conn: sqlite3.Connection = g.db
        return conn

    @app.teardown_appcontext
    def close(_: object) -> None:
        conn = g.pop("db", None)
        if conn is not None:
            conn.close()

    def caller() -> str:
        key = request.headers.get("X-API-Key", "")
        row = db().execute("SELECT username FROM users WHERE api_key = ?", (key,)).fetchone()
        if not key or row is None:
            abort(401)
        return str(row["username"])

    def load(order_id: int, checked: bool = True) -> sqlite3.Row | None:
        if checked and not 0 < order_id <= MAX_ID:
            return None
        row: sqlite3.Row | None = (
            db().execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
        )
        return row

    def owned(order_id: int, me: str, check: bool = True, checked: bool = True) -> sqlite3.Row:
        row = load(order_id, checked)
        if row is None or (check and row["owner"] != me):
            abort(404)
        return row

    def fields() -> tuple[str, int, str]:
        body = request.get_json(silent=True) or {}
        item, quantity, note = body.get("item"), body.get("quantity"), body.get("note", "")
        if not isinstance(item, str) or not isinstance(quantity, int) or quantity < 1:
            abort(400)
        if not isinstance(note, str):
            abort(400)
        return item, quantity, note

    @app.get("/swagger.json")
    def spec() -> Any:
        return jsonify(swagger())

    @app.post("/api/register")
    def register() -> Any:
        body = request.get_json(silent=True) or {}
        name, password = body.get("username"), body.get("password")
        if not isinstance(name, str) or not isinstance(password, str) or not name:
            abort(400)
        key = secrets.token_hex(16)
        try:
            with db() as conn:
                conn.execute(
                    "INSERT INTO users VALUES (?, ?, ?)", (name, hash_password(password), key)
                )
        except sqlite3.IntegrityError:
            return jsonify(error="username taken"), 409
        return jsonify(username=name, api_key=key), 201

    @app.post("/api/login")
    def login() -> Any:
        body = request.get_json(silent=True) or {}
        row = (
            db()
            .execute("SELECT * FROM users WHERE username = ?", (str(body.get("username")),))
            .fetchone()
        )
        if row is None or row["password_hash"] != hash_password(str(body.get("password"))):
            return jsonify(error="bad credentials"), 401
        return jsonify(api_key=row["api_key"])

    @app.get("/api/orders")
    def list_orders() -> Any:
        me = caller()
        rows = db().execute("SELECT * FROM orders WHERE owner = ? ORDER BY id", (me,))
        return jsonify([dict(r) for r in rows])

    @app.post("/api/orders")
    def create_order() -> Any:
        me = caller()
        item, quantity, note = fields()
        # Random 53-bit ids (JSON-safe) unless the planted AUTOINCREMENT is on.
        new_id = None if bug == "sequential_ids" else secrets.randbelow(2**53) + 1
        with db() as conn:
            cur = conn.execute(
                "INSERT INTO orders (id, owner, item, quantity, note) VALUES (?, ?, ?, ?, ?)",
                (new_id, me, item, quantity, note),
            )
        return jsonify(dict(owned(int(cur.lastrowid or 0), me))), 201

    if bug == "sql_leak":

        @app.get("/api/orders/<order_id>")
        def read_order_raw(order_id: str) -> Any:
            me = caller()
            try:
                row = db().execute(f"SELECT * FROM orders WHERE id = {order_id}").fetchone()
            except sqlite3.Error as exc:
                kind = f"{type(exc).__module__}.{type(exc).__qualname__}"
                return jsonify(error="database error", detail=f"{kind}: {exc}"), 400
            if row is None or row["owner"] != me:
                abort(404)
            return jsonify(dict(row))

    else:

        @app.get("/api/orders/<int:order_id>")
        def read_order(order_id: int) -> Any:
            me = caller()
            unchecked = bug in ("out_of_range", "debug_page")
            return jsonify(dict(owned(order_id, me, bug != "bola_read", not unchecked)))

    @app.put("/api/orders/<int:order_id>")
    def replace_order(order_id: int) -> Any:
        me = caller()
        owned(order_id, me, check=bug != "bola_write")
        item, quantity, note = fields()
        body = request.get_json(silent=True) or {}
        target = body.get("id", order_id) if bug == "id_tamper" else order_id
        with db() as conn:
            cur = conn.execute(
                "UPDATE orders SET id = ?, item = ?, quantity = ?, note = ?, version = version + 1"
                " WHERE id = ? AND version = ?",
                (target, item, quantity, note, order_id, body.get("version")),
            )
        if cur.rowcount == 0:
            return jsonify(error="the order changed since you read it"), 409
        return jsonify(dict(owned(target, me, check=False)))

    @app.delete("/api/orders/<int:order_id>")
    def delete_order(order_id: int) -> Any:
        me = caller()
        owned(order_id, me, check=bug != "bola_write")
        with db() as conn:
            conn.execute("DELETE FROM orders WHERE id = ?", (order_id,))
        return "", 204

    # `flask --debug run` does both: exceptions propagate, the debugger renders them.
    app.debug = bug == "debug_page"
    wsgi: Any = DebuggedApplication(app.wsgi_app, evalex=False) if bug == "debug_page" else app
    log = RequestLog(WSGIMiddleware(wsgi))  # type: ignore[arg-type]

    async def login_as(client: Any, name: str) -> str:
        await client.post("/api/register", json={"username": name, "password": PASSWORD})
        answer = await client.post("/api/login", json={"username": name, "password": PASSWORD})
        return f"X-API-Key: {expect_ok(answer).json()['api_key']}"

    def snapshot() -> set[str]:
        with sqlite3.connect(db_path) as conn:
            users = {f"user:{r[0]}" for r in conn.execute("SELECT username FROM users")}
            orders = {f"order:{r[0]}" for r in conn.execute("SELECT id FROM orders")}
        return users | orders

    return Zoo(app=log, snapshot=snapshot, login=login_as, spec="/swagger.json")
