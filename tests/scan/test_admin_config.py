"""Privilege by configuration: dependencies and Security scopes only administrators pass.

A role compared in a dependency's code is found without configuration (test_authn.py);
a scope is a string the code compares like any other, so which scopes only administrators
hold is the project's to say (`admin_scopes`), and a dependency whose code the scan cannot
judge can be named (`admin_dependencies`). A scope counts only where a dependency in the
route's tree enforces the scopes FastAPI passes it (reads `SecurityScopes.scopes` and
raises): a scope nobody checks restricts nobody.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from dynaguard.core.config import Config
from dynaguard.core.result import Result
from dynaguard.scan import scan
from dynaguard.scan.index import Project

HEAD = """
import jwt
from fastapi import Depends, FastAPI, Header, HTTPException, Security
from fastapi.security import SecurityScopes

app = FastAPI()


def verify(scopes: SecurityScopes, authorization: str = Header()) -> dict:
    claims = jwt.decode(authorization, "k", algorithms=["HS256"])
    for scope in scopes.scopes:
        if scope not in claims.get("scope", "").split():
            raise HTTPException(status_code=403)
    return claims


def lax(scopes: SecurityScopes, authorization: str = Header()) -> dict:
    return jwt.decode(authorization, "k", algorithms=["HS256"])


def active(claims: dict = Security(verify)) -> dict:
    if claims.get("disabled"):
        raise HTTPException(status_code=400)
    return claims


def staff_only(authorization: str = Header()) -> None:
    return None  # the real check lives in a gateway the scan cannot read
"""


def _privileged(route_dep: str, config: Config) -> str | None:
    src = textwrap.dedent(HEAD) + textwrap.dedent(
        f"""
        @app.delete("/items/{{item_id}}")
        def remove(item_id: str, who=Depends(verify), _=Depends(lambda: None), x={route_dep}):
            return item_id
        """
    )
    p = Project(config)
    p.add_module("m", "m.py", ast.parse(src))
    p.link()
    (route,) = p.routes
    return route.privileged


ADMIN = Config(admin_scopes=("admin",), admin_dependencies=("staff_only",))

CASES = {
    # a configured administrators' scope, enforced by the dependency itself
    "admin scope, enforced": ('Security(verify, scopes=["admin"])', ADMIN, "verify (scopes admin)"),
    # enforced one level down: FastAPI passes the route's scopes to every SecurityScopes
    "admin scope, enforced below": (
        'Security(active, scopes=["admin", "items:read"])',
        ADMIN,
        "active (scopes admin)",
    ),
    # the same scope without configuration: a string like any other
    "admin scope, not configured": ('Security(verify, scopes=["admin"])', Config(), None),
    # a scope every writer holds
    "other scope": ('Security(verify, scopes=["items:write"])', ADMIN, None),
    # the dependency takes SecurityScopes but never checks them
    "admin scope, never checked": ('Security(lax, scopes=["admin"])', ADMIN, None),
    # a configured name, whose code decides nothing
    "configured dependency": ("Depends(staff_only)", ADMIN, "staff_only"),
    "same dependency, not configured": ("Depends(staff_only)", Config(), None),
}


@pytest.mark.parametrize(("dep", "config", "expected"), CASES.values(), ids=CASES.keys())
def test_which_routes_are_restricted_to_administrators(
    dep: str, config: Config, expected: str | None
) -> None:
    assert _privileged(dep, config) == expected


FACTORY = Path(__file__).parent / "fixtures" / "router-factory"


def test_an_admin_scope_turns_the_ownership_rule_off_on_that_route_only() -> None:
    # Given the router factory fixture, where `purge` runs only under scopes=["admin"]
    # and `delete` under scopes=["items:write"]
    plain = scan([FACTORY], root=FACTORY)
    configured = scan([FACTORY], root=FACTORY, config=Config(admin_scopes=("admin",)))

    # Then without configuration both deletes are DG103 ...
    assert _dg103(plain) == {32, 37}
    # ... and with `admin_scopes = ["admin"]` only the writers' delete is
    assert _dg103(configured) == {32}


def _dg103(result: Result) -> set[int | None]:
    return {f.line for f in result.findings if f.rule == "DG103"}
