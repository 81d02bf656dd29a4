"""Which dependency shapes authenticate or restrict a route, judged by what they do."""

from __future__ import annotations

import ast
import textwrap

import pytest

from dynaguard.core.config import Config
from dynaguard.scan.index import Project

HEAD = """
import boto3
from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2PasswordBearer

app = FastAPI()
bearer = HTTPBearer()
oauth2 = OAuth2PasswordBearer(tokenUrl="token")
users = boto3.resource("dynamodb").Table("users")
"""
ROUTE = """
@app.get("/items/{item_id}")
def read(item_id: str, who=Depends(dep)):
    return item_id
"""


def _route(body: str, config: Config | None = None) -> tuple[bool, str | None]:
    src = textwrap.dedent(HEAD) + textwrap.dedent(body) + textwrap.dedent(ROUTE)
    p = Project(config or Config())
    p.add_module("m", "m.py", ast.parse(src))
    p.link()
    (route,) = p.routes
    return route.authenticated, route.privileged


AUTHENTICATES = {
    "python-jose": """
        from jose import jwt
        def dep(token: str = Depends(oauth2)):
            return jwt.decode(token, "k", algorithms=["HS256"])
        """,
    "passlib password check": """
        from passlib.context import CryptContext
        pwd = CryptContext(schemes=["bcrypt"])
        def dep(x_user: str = Header(), x_password: str = Header()):
            user = users.get_item(Key={"id": x_user})["Item"]
            if not pwd.verify(x_password, user["hash"]):
                raise HTTPException(401)
            return user
        """,
    "Cognito get_user": """
        cognito = boto3.client("cognito-idp")
        def dep(creds: HTTPAuthorizationCredentials = Depends(bearer)):
            return cognito.get_user(AccessToken=creds.credentials)
        """,
    "decodes, then checks the user exists": """
        import jwt
        USERS = {"alice": "x", "bob": "y"}
        def dep(token: str = Depends(oauth2)):
            sub = jwt.decode(token, "k", algorithms=["HS256"])["sub"]
            if sub not in USERS:  # every user passes: not a privilege gate
                raise HTTPException(401)
            return sub
        """,
    "helper that decodes": """
        import jwt
        def decode_token(raw: str) -> dict:
            return jwt.decode(raw, "k", algorithms=["HS256"])
        def dep(token: str = Depends(oauth2)):
            return decode_token(token)
        """,
    "bearer subclass": """
        import jwt
        class JWTBearer(HTTPBearer):
            async def __call__(self, request: Request):
                creds = await super().__call__(request)
                return jwt.decode(creds.credentials, "k", algorithms=["HS256"])
        dep = JWTBearer()
        """,
    "api key lookup": """
        def dep(x_api_key: str = Header()):
            found = users.get_item(Key={"key": x_api_key}).get("Item")
            if found is None:
                raise HTTPException(401)
            return found
        """,
    "auth library": """
        from fastapi_cloudauth.cognito import CognitoCurrentUser
        dep = CognitoCurrentUser(region="eu-west-1", userPoolId="p", client_id="c")
        """,
}
DOES_NOT = {
    "scheme only": """
        def dep(token: str = Depends(oauth2)):
            return {"sub": token}
        """,
    "presence check": """
        def dep(request: Request):
            if not request.headers.get("authorization"):
                raise HTTPException(401)
            return request.headers["authorization"]
        """,
    "unverified decode": """
        import jwt
        def dep(token: str = Depends(oauth2)):
            return jwt.decode(token, options={"verify_signature": False})
        """,
    "named like auth": """
        def dep():
            return {"id": "u1"}
        get_current_user = dep
        """,
}


@pytest.mark.parametrize("shape", sorted(AUTHENTICATES))
def test_shapes_that_verify_a_credential(shape: str) -> None:
    assert _route(AUTHENTICATES[shape]) == (True, None)


@pytest.mark.parametrize("shape", sorted(DOES_NOT))
def test_shapes_that_verify_nothing(shape: str) -> None:
    assert _route(DOES_NOT[shape]) == (False, None)


def test_configured_names_are_the_override() -> None:
    body = DOES_NOT["scheme only"]
    assert _route(body, Config(auth_dependencies=("dep",))) == (True, None)


PRIVILEGE = """
import jwt
STAFF = ("ops@shop.example", "boss@shop.example")
def current(token: str = Depends(oauth2)) -> dict:
    return jwt.decode(token, "k", algorithms=["HS256"])
def dep(user: dict = Depends(current)):
    if {check}:
        raise HTTPException(403)
    return user
"""


@pytest.mark.parametrize(
    ("check", "privileged"),
    [
        ('user["role"] != "admin"', True),
        ('"admin" not in user.get("cognito:groups", [])', True),
        ('not user["is_superuser"]', True),
        ('user["role"] not in ("user", "member")', False),  # every signed-in user passes
        ('not user["is_active"]', False),  # account state, not privilege
        ('user["sub"] != "alice"', False),  # an identity, not a role
        ('user["email"] not in STAFF', True),  # a fixed allow-list of callers
        ('user["email"] in STAFF', False),  # a deny-list: everyone else passes
        ('user["sub"] not in user.get("ids", [])', False),  # the caller's own data, not fixed
    ],
)
def test_privilege_is_a_role_compared_with_fixed_values(check: str, privileged: bool) -> None:
    authenticated, dep = _route(PRIVILEGE.format(check=check))
    assert authenticated
    assert (dep == "dep") is privileged
