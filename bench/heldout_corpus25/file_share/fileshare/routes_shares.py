import secrets
from datetime import timedelta
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Path, Response, status
from fastapi.responses import RedirectResponse
from pynamodb.exceptions import DeleteError, PutError, UpdateError

from . import storage
from .access import require_access
from .auth import User, current_user
from .models import Acl, Node, ShareLink, utcnow
from .schemas import AclEntry, AclOut, NodeId, ShareCreate, ShareOut

router = APIRouter(tags=["sharing"])
public = APIRouter(tags=["public"])


@router.post("/nodes/{node_id}/shares", response_model=ShareOut, status_code=status.HTTP_201_CREATED)
def create_share(node_id: NodeId, body: ShareCreate, user: User = Depends(current_user)):
    node = require_access(node_id, user, "editor")
    if node.kind != "file":
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "only files can be shared by link")
    link = ShareLink(
        token=secrets.token_urlsafe(32),
        node_id=node.node_id,
        created_by=user.sub,
        expires_at=utcnow() + timedelta(hours=body.expires_in_hours),
    )
    link.save(condition=ShareLink.token.does_not_exist())
    return ShareOut(token=link.token, node_id=link.node_id, expires_at=link.expires_at)


@router.delete("/shares/{token}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_share(token: str, user: User = Depends(current_user)):
    try:
        ShareLink(token=token).update(
            actions=[ShareLink.revoked.set(True)],
            condition=ShareLink.token.exists(),
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
        raise
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@public.get("/s/{token}")
def open_share(token: str = Path(min_length=40, max_length=64)):
    try:
        link = ShareLink.get(token)
    except ShareLink.DoesNotExist:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "link not found")
    if link.revoked or link.expires_at < utcnow():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "link not found")
    try:
        node = Node.get(link.node_id)
    except Node.DoesNotExist:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "link not found")
    if node.status != "ready":
        raise HTTPException(status.HTTP_404_NOT_FOUND, "link not found")
    try:
        link.update(actions=[ShareLink.downloads.add(1)], condition=ShareLink.revoked == False)  # noqa: E712
    except UpdateError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "link not found")
    return RedirectResponse(storage.download_url(node.s3_key, node.name), status_code=307)


@router.get("/nodes/{node_id}/acl", response_model=list[AclOut])
def list_acl(node_id: NodeId, user: User = Depends(current_user)):
    require_access(node_id, user, "editor")
    return [AclOut(principal=a.principal, role=a.role, granted_by=a.granted_by) for a in Acl.query(node_id)]


@router.post("/nodes/{node_id}/acl", response_model=AclOut, status_code=status.HTTP_201_CREATED)
def grant_access(node_id: NodeId, entry: AclEntry, user: User = Depends(current_user)):
    require_access(node_id, user, "owner")
    acl = Acl(**entry.model_dump(), granted_by=user.sub)
    try:
        acl.save(condition=Acl.principal.does_not_exist() | (Acl.role != "owner"))
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_409_CONFLICT, "cannot change an owner's role")
        raise
    return AclOut(principal=acl.principal, role=acl.role, granted_by=acl.granted_by)


@router.delete("/nodes/{node_id}/acl/{principal}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_access(node_id: NodeId, principal: UUID, user: User = Depends(current_user)):
    require_access(node_id, user, "owner")
    try:
        Acl(resource_id=node_id, principal=str(principal)).delete(condition=Acl.role != "owner")
    except DeleteError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such grant")
        raise
    return Response(status_code=status.HTTP_204_NO_CONTENT)
