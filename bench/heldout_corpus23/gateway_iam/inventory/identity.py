from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request

from . import config


@dataclass(frozen=True)
class TenantCaller:
    tenant_id: str
    role: str
    principal_id: str


def _request_context(request: Request) -> dict:
    event = request.scope.get("aws.event") or {}
    return event.get("requestContext") or {}


def tenant_caller(request: Request) -> TenantCaller:
    authorizer = _request_context(request).get("authorizer") or {}
    context = authorizer.get("lambda") or {}
    tenant_id = context.get("tenant_id")
    if not tenant_id:
        raise HTTPException(status_code=401, detail="missing tenant context")
    return TenantCaller(
        tenant_id=tenant_id,
        role=context.get("role", "viewer"),
        principal_id=authorizer.get("principalId", ""),
    )


def require_editor(caller: TenantCaller = Depends(tenant_caller)) -> TenantCaller:
    if caller.role not in ("editor", "admin"):
        raise HTTPException(status_code=403, detail="editor role required")
    return caller


def require_tenant_admin(caller: TenantCaller = Depends(tenant_caller)) -> TenantCaller:
    if caller.role != "admin":
        raise HTTPException(status_code=403, detail="admin role required")
    return caller


def operator_arn(request: Request) -> str:
    identity = _request_context(request).get("identity") or {}
    user_arn = identity.get("userArn") or ""
    # arn:aws:sts::123456789012:assumed-role/<role>/<session>
    parts = user_arn.split(":", 5)
    resource = parts[5] if len(parts) == 6 else ""
    if not resource.startswith("assumed-role/"):
        raise HTTPException(status_code=403, detail="operator role required")
    role_name = resource.split("/")[1]
    if role_name not in config.OPERATOR_ROLES:
        raise HTTPException(status_code=403, detail="operator role required")
    return user_arn
