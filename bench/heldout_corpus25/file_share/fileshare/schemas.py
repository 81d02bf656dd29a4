from datetime import datetime
from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel, Field

NODE_ID = r"^[0-9a-f]{32}$"
NodeId = Annotated[str, Path(pattern=NODE_ID)]
FileName = Annotated[str, Field(min_length=1, max_length=255, pattern=r"^[^/\\\x00]+$")]


class FolderCreate(BaseModel):
    parent_id: str | None = Field(default=None, pattern=NODE_ID)
    name: FileName


class UploadRequest(BaseModel):
    parent_id: str = Field(pattern=NODE_ID)
    name: FileName
    content_type: str = Field(default="application/octet-stream", max_length=127)
    size: int = Field(gt=0, le=5 * 1024**3)
    owner_sub: str | None = None


class NodeOut(BaseModel):
    node_id: str
    parent_id: str | None
    name: str
    path: str
    kind: Literal["file", "folder"]
    status: str
    size: int
    created_at: datetime


class UploadTicket(BaseModel):
    node: NodeOut
    upload_url: str


class ShareCreate(BaseModel):
    expires_in_hours: int = Field(default=72, gt=0, le=24 * 30)


class ShareOut(BaseModel):
    token: str
    node_id: str
    expires_at: datetime


class AclEntry(BaseModel):
    resource_id: str = Field(pattern=NODE_ID)
    principal: str = Field(min_length=1, max_length=64)
    role: Literal["viewer", "editor"]


class AclOut(BaseModel):
    principal: str
    role: str
    granted_by: str


def node_out(node) -> NodeOut:
    return NodeOut(
        node_id=node.node_id,
        parent_id=node.parent_id,
        name=node.name,
        path=node.path,
        kind=node.kind,
        status=node.status,
        size=node.size,
        created_at=node.created_at,
    )
