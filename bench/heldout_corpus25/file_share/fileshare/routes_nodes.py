from uuid import uuid4

from botocore.exceptions import BotoCoreError, ClientError
from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from . import config, storage
from .access import require_access
from .auth import User, current_user
from .models import Acl, Node, PathClaim
from .schemas import FolderCreate, NodeId, NodeOut, UploadRequest, UploadTicket, node_out

router = APIRouter(tags=["files"])


@router.post("/folders", response_model=NodeOut, status_code=status.HTTP_201_CREATED)
def create_folder(body: FolderCreate, user: User = Depends(current_user)):
    parent = require_access(body.parent_id, user, "editor") if body.parent_id else None
    if parent is not None and parent.kind != "folder":
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "parent is not a folder")
    base = parent.path if parent is not None else f"/{user.sub}"
    folder = Node(
        node_id=uuid4().hex,
        parent_id=body.parent_id,
        name=body.name,
        path=f"{base}/{body.name}",
        kind="folder",
        owner_sub=user.sub,
    )
    try:
        with TransactWrite(connection=Connection(region=config.REGION, host=config.DYNAMODB_HOST)) as tx:
            tx.save(PathClaim(path=folder.path, node_id=folder.node_id), condition=PathClaim.path.does_not_exist())
            tx.save(folder, condition=Node.node_id.does_not_exist())
    except TransactWriteError as exc:
        if exc.cause_response_code == "TransactionCanceledException":
            raise HTTPException(status.HTTP_409_CONFLICT, "a file or folder with that name already exists")
        raise
    return node_out(folder)


@router.post("/files/uploads", response_model=UploadTicket, status_code=status.HTTP_201_CREATED)
def start_upload(body: UploadRequest, user: User = Depends(current_user)):
    parent = require_access(body.parent_id, user, "editor")
    if parent.kind != "folder":
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "parent is not a folder")
    node_id = uuid4().hex
    path = f"{parent.path}/{body.name}"
    try:
        PathClaim(path=path, node_id=node_id).save(condition=PathClaim.path.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise HTTPException(status.HTTP_409_CONFLICT, "a file or folder with that name already exists")
        raise
    node = Node(
        node_id=node_id,
        path=path,
        kind="file",
        status="pending",
        s3_key=f"uploads/{node_id}",
        **body.model_dump(exclude={"owner_sub"}),
        owner_sub=body.owner_sub or user.sub,
    )
    node.save()
    try:
        url = storage.upload_url(node.s3_key, body.content_type)
    except (BotoCoreError, ClientError) as exc:
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, detail=f"could not create upload URL: {exc}")
    return UploadTicket(node=node_out(node), upload_url=url)


@router.post("/files/{node_id}/complete", response_model=NodeOut)
def complete_upload(node_id: NodeId, user: User = Depends(current_user)):
    node = require_access(node_id, user, "editor")
    if node.kind != "file":
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "not a file")
    try:
        size = storage.object_size(node.s3_key)
    except ClientError:
        raise HTTPException(status.HTTP_409_CONFLICT, "nothing was uploaded yet")
    node.update(actions=[Node.status.set("ready"), Node.size.set(size)])
    return node_out(node)


@router.get("/nodes/{node_id}")
async def get_node(node_id: NodeId, user: User = Depends(current_user)):
    node = require_access(node_id, user, "viewer")
    return node.attribute_values


@router.get("/folders/{node_id}/children", response_model=list[NodeOut])
def list_children(node_id: NodeId, user: User = Depends(current_user)):
    folder = require_access(node_id, user, "viewer")
    if folder.kind != "folder":
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
    return [node_out(child) for child in Node.children.query(folder.node_id)]


@router.get("/files/{node_id}/download")
def download(node_id: NodeId, user: User = Depends(current_user)):
    node = require_access(node_id, user, "viewer")
    if node.kind != "file" or node.status != "ready":
        raise HTTPException(status.HTTP_409_CONFLICT, "file is not available")
    return {"url": storage.download_url(node.s3_key, node.name)}


def _delete_tree(node: Node) -> None:
    if node.kind == "folder":
        for child in Node.children.query(node.node_id):
            _delete_tree(child)
    elif node.s3_key:
        storage.delete_object(node.s3_key)
    PathClaim(path=node.path).delete(condition=PathClaim.node_id == node.node_id)
    node.delete()


@router.delete("/folders/{node_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_folder(node_id: NodeId, user: User = Depends(current_user)):
    folder = require_access(node_id, user, "owner")
    if folder.kind != "folder":
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
    _delete_tree(folder)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/search", response_model=list[NodeOut])
def search(q: str = Query(min_length=2, max_length=100), user: User = Depends(current_user)):
    hits: list[NodeOut] = []
    for node in Node.scan(Node.name.contains(q), page_size=200):
        if node.owner_sub == user.sub:
            hits.append(node_out(node))
            if len(hits) >= 50:
                break
    return hits


@router.get("/shared-with-me", response_model=list[NodeOut])
def shared_with_me(user: User = Depends(current_user)):
    ids = [grant.resource_id for grant in Acl.by_principal.query(user.sub)]
    if not ids:
        return []
    return [node_out(node) for node in Node.batch_get(ids)]
