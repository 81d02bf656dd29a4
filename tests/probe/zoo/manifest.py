"""The zoo's manifest: for each style and planted bug, the exact (rule, route) pairs.

`None` is the clean twin and expects nothing. A case the prober cannot find yet is
listed in GAPS with the reason (`todo-expect:`); its test is a strict xfail, so it
fails the day the prober starts finding it and the entry must then be removed.
Routes are written as the spec writes them (trailing slashes, Swagger's basePath).
"""

from __future__ import annotations

from types import ModuleType

from tests.probe.zoo.apps import (
    accounts_starlette,
    licenses_pynamodb,
    members_aioboto3,
    orders_flask,
    projects_boto3,
    shop_roles,
)

Pairs = set[tuple[str, str]]

STYLES: dict[str, ModuleType] = {
    "licenses": licenses_pynamodb,  # FastAPI + PynamoDB, OpenAPI 3.1, trailing slashes
    "members": members_aioboto3,  # FastAPI + aioboto3, OpenAPI 3.0, servers: localhost
    "orders": orders_flask,  # Flask + SQLite, Swagger 2.0, integer ids, bare lists
    "projects": projects_boto3,  # FastAPI + boto3, PascalCase envelopes, nested parents
    "shop": shop_roles,  # FastAPI + boto3, role-gated operations
    "accounts": accounts_starlette,  # Starlette, hand-written OpenAPI 3.0 YAML, login
}

LIC = "/licenses/{title}/"
ORDER = "/api/orders/{order_id}"
TASK = "/projects/{project_id}/tasks/{task_id}"
ACCOUNT = "/accounts/{account_id}"

CASES: dict[str, dict[str | None, Pairs]] = {
    "licenses": {
        None: set(),
        "create_overwrite": {("DG213", "POST /licenses/")},
        "write_after_delete": {("DG214", f"PATCH {LIC}")},
        "user_bola": {("DG201", "GET /users/{username}")},
    },
    "members": {
        None: set(),
        "customer_overwrite": {("DG213", "POST /customers")},
        "member_bola_write": {("DG202", "PATCH /members/{login}")},
        "member_mass_assign": {("DG204", "PATCH /members/{login}")},
        "soft_delete": {("DG214", "DELETE /customers/{email}")},
        "error_leak": {("DG207", "PUT /customers/{email}")},
        "unvalidated_login": {("DG208", "GET /members/{login}")},
    },
    "orders": {
        None: set(),
        "bola_read": {("DG201", f"GET {ORDER}")},
        "bola_write": {("DG202", f"PUT {ORDER}"), ("DG202", f"DELETE {ORDER}")},
        "sequential_ids": {("DG211", "POST /api/orders")},
        "sql_leak": {("DG207", f"GET {ORDER}")},
        "out_of_range": {("DG208", f"GET {ORDER}")},
        "debug_page": {("DG207", f"GET {ORDER}"), ("DG208", f"GET {ORDER}")},
        "id_tamper": {("DG206", f"PUT {ORDER}")},
    },
    "projects": {
        None: set(),
        "task_read_any_parent": {("DG215", f"GET {TASK}")},
        "task_write_any_parent": {("DG215", f"PATCH {TASK}")},
        "lost_update": {("DG205", f"PATCH {TASK}")},
        "oracle": {("DG210", "GET /projects/{project_id}")},
    },
    "shop": {
        None: set(),
        "catalogue_delete_any": {("DG212", "DELETE /catalogue/{sku}")},
        "approve_any": {("DG212", "POST /orders/{order_id}/approve")},
        "catalogue_overwrite": {("DG213", "POST /catalogue")},
        "unauth_order": {("DG203", "GET /orders/{order_id}")},
        "orders_list_all": {("DG209", "GET /orders")},
    },
    "accounts": {
        None: set(),
        "register_admin": {("DG204", "POST /register")},
        "enumeration": {("DG210", "POST /login")},
        "bola_read": {("DG201", f"GET {ACCOUNT}")},
        "unvalidated": {("DG208", f"GET {ACCOUNT}")},
        "debug_page": {("DG207", f"GET {ACCOUNT}"), ("DG208", f"GET {ACCOUNT}")},
    },
}

# (style, bug) -> why the prober misses it today. Remove an entry when its case passes.
# Empty: every case passes with the prober as merged (2026-12-02).
GAPS: dict[tuple[str, str | None], str] = {}
