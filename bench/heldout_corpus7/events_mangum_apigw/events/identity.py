"""The caller, as API Gateway's JWT authorizer (Cognito user pool) verified it.

The HTTP API rejects requests without a valid access token on every route that has the
authorizer attached; Mangum hands the original Lambda event to the app in the ASGI scope.
"""

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, HTTPException, Request


@dataclass(frozen=True)
class Caller:
    sub: str
    email: str = ""
    groups: list[str] = field(default_factory=list)

    @property
    def is_staff(self) -> bool:
        return "staff" in self.groups


def authorizer_claims(request: Request) -> dict:
    event = request.scope.get("aws.event") or {}
    return event.get("requestContext", {}).get("authorizer", {}).get("jwt", {}).get("claims", {})


def current_caller(request: Request) -> Caller:
    claims = authorizer_claims(request)
    if not claims.get("sub"):
        raise HTTPException(status_code=401, detail="not authenticated")
    groups = claims.get("cognito:groups", "")
    if isinstance(groups, str):  # HTTP APIs flatten array claims to "[a b]"
        groups = groups.strip("[]").split()
    return Caller(sub=claims["sub"], email=claims.get("email", ""), groups=list(groups))


CallerDep = Annotated[Caller, Depends(current_caller)]
