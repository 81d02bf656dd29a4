"""Who is calling, as told by the Application Load Balancer.

The ALB listener rule runs an ``authenticate-oidc`` action against the company
IdP and forwards three headers to the target group. ``x-amzn-oidc-data`` holds
the user claims as a JWT that the *load balancer* signs with ES256; the public
key for a key id is served by a regional endpoint and never changes for that
kid, so it is cached for the life of the process.

The targets sit in private subnets, but the task security group also admits the
VPC's bastion and the internal NLB used for health checks, so the signature and
the ``signer`` (the ALB's ARN) are verified here rather than trusted.
"""
from __future__ import annotations

import base64
import json
import os
from functools import lru_cache
from typing import Annotated

import httpx
import jwt
from fastapi import Depends, Header, HTTPException, Request, status
from pydantic import BaseModel

REGION = os.environ.get("AWS_REGION", "eu-west-1")
ALB_ARN = os.environ.get(
    "ALB_ARN",
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/expenses/50dc6c495c0c9188",
)
KEY_ENDPOINT = "https://public-keys.auth.elb.{region}.amazonaws.com/{kid}"
APPROVER_GROUP = os.environ.get("APPROVER_GROUP", "expense-approvers")


class Principal(BaseModel):
    sub: str
    email: str = ""
    name: str = ""
    team_id: str = "default"
    groups: list[str] = []

    @property
    def is_approver(self) -> bool:
        return APPROVER_GROUP in self.groups


def _unauthorized(reason: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=reason)


@lru_cache(maxsize=32)
def alb_public_key(kid: str) -> str:
    """PEM of the ALB signing key ``kid`` (one HTTPS call per kid per process)."""
    resp = httpx.get(KEY_ENDPOINT.format(region=REGION, kid=kid), timeout=3.0)
    resp.raise_for_status()
    return resp.text


def _strip_padding(token: str) -> str:
    # The ALB pads its base64url segments with "=", which PyJWT rejects.
    return ".".join(part.rstrip("=") for part in token.split("."))


def _principal_from(claims: dict) -> Principal:
    groups = claims.get("groups") or []
    if isinstance(groups, str):
        groups = [g for g in groups.replace(",", " ").split() if g]
    return Principal(
        sub=claims["sub"],
        email=claims.get("email", ""),
        name=claims.get("name", ""),
        team_id=claims.get("custom:team", "default"),
        groups=groups,
    )


def current_principal(
    x_amzn_oidc_data: Annotated[str | None, Header()] = None,
) -> Principal:
    if not x_amzn_oidc_data:
        raise _unauthorized("missing ALB identity header")
    token = _strip_padding(x_amzn_oidc_data)
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError:
        raise _unauthorized("malformed identity header")
    if header.get("signer") != ALB_ARN:
        raise _unauthorized("identity header was not signed by our load balancer")
    kid = header.get("kid")
    if not kid:
        raise _unauthorized("identity header has no key id")
    try:
        claims = jwt.decode(
            token,
            alb_public_key(kid),
            algorithms=["ES256"],
            options={"require": ["exp", "sub"]},
        )
    except (jwt.PyJWTError, httpx.HTTPError):
        raise _unauthorized("invalid identity header")
    return _principal_from(claims)


def require_approver(
    principal: Annotated[Principal, Depends(current_principal)],
) -> Principal:
    if not principal.is_approver:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="approvers only")
    return principal


def peek_principal(request: Request) -> Principal:
    """Identity without the key round trip, for the low-stakes preference routes.

    The ALB has already authenticated the user before the request gets here.
    """
    raw = request.headers.get("x-amzn-oidc-data", "")
    try:
        payload = raw.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload))
        return _principal_from(claims)
    except (IndexError, KeyError, ValueError):
        raise _unauthorized("missing ALB identity header")


Me = Annotated[Principal, Depends(current_principal)]
Approver = Annotated[Principal, Depends(require_approver)]
