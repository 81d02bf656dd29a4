"""Entra ID (Azure AD) authentication and Casbin authorization.

Two kinds of Casbin objects are used:
  * the resource type ("docs") checked against the caller's app roles, and
  * a concrete document ("docs/<id>") checked against the caller's object id;
    the owner policies are added when a document is created or shared.
"""
from __future__ import annotations

import os
from typing import Annotated, Callable

import casbin
from fastapi import Depends, HTTPException, Path, Security
from fastapi_azure_auth import SingleTenantAzureAuthorizationCodeBearer
from fastapi_azure_auth.user import User

APP_CLIENT_ID = os.environ["APP_CLIENT_ID"]
TENANT_ID = os.environ["AZURE_TENANT_ID"]
OPENAPI_CLIENT_ID = os.environ.get("OPENAPI_CLIENT_ID", "")
SCOPE = f"api://{APP_CLIENT_ID}/user_impersonation"

azure_scheme = SingleTenantAzureAuthorizationCodeBearer(
    app_client_id=APP_CLIENT_ID,
    tenant_id=TENANT_ID,
    scopes={SCOPE: "user_impersonation"},
    allow_guest_users=False,
)

_here = os.path.dirname(__file__)
enforcer = casbin.Enforcer(
    os.path.join(_here, "..", "casbin", "model.conf"),
    os.path.join(_here, "..", "casbin", "policy.csv"),
)

DocId = Annotated[str, Path(pattern=r"^doc_[0-9a-f]{32}$")]

AzureUser = Annotated[User, Security(azure_scheme, scopes=["user_impersonation"])]


def require(resource: str, action: str) -> Callable[..., User]:
    """Role check: may any of the caller's app roles do `action` on this resource type?"""

    def dependency(user: AzureUser) -> User:
        roles = user.roles or []
        if not any(enforcer.enforce(role, resource, action) for role in roles):
            raise HTTPException(status_code=403, detail=f"{action} on {resource} not allowed")
        return user

    return dependency


def require_on_doc(action: str) -> Callable[..., User]:
    """Object check: may this caller do `action` on this very document?"""

    def dependency(doc_id: DocId, user: AzureUser) -> User:
        if "Documents.Admin" in (user.roles or []):
            return user
        if not enforcer.enforce(user.oid, f"docs/{doc_id}", action):
            raise HTTPException(status_code=404, detail="Document not found")
        return user

    return dependency


def require_app_role(role: str) -> Callable[..., User]:
    def dependency(user: AzureUser) -> User:
        if role not in (user.roles or []):
            raise HTTPException(status_code=403, detail="Forbidden")
        return user

    return dependency


def grant_owner(oid: str, doc_id: str) -> None:
    for action in ("read", "write", "share", "delete"):
        enforcer.add_policy(oid, f"docs/{doc_id}", action)


def grant_reader(oid: str, doc_id: str) -> None:
    enforcer.add_policy(oid, f"docs/{doc_id}", "read")


def revoke_all(doc_id: str) -> None:
    enforcer.remove_filtered_policy(1, f"docs/{doc_id}")
