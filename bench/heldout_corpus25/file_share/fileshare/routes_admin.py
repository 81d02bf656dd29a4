from fastapi import APIRouter, Depends, HTTPException, Query, status
from pynamodb.exceptions import UpdateError

from .auth import require_admin
from .models import Node
from .schemas import NodeId, NodeOut, node_out

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(require_admin)])


@router.get("/nodes", response_model=list[NodeOut])
def all_nodes(
    owner: str | None = Query(default=None, max_length=64),
    limit: int = Query(default=200, gt=0, le=5000),
):
    condition = Node.owner_sub == owner if owner else None
    return [node_out(node) for node in Node.scan(condition, limit=limit)]


@router.post("/nodes/{node_id}/quarantine", response_model=NodeOut)
def quarantine(node_id: NodeId):
    try:
        node = Node.get(node_id)
    except Node.DoesNotExist:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
    try:
        node.update(
            actions=[Node.status.set("quarantined")],
            condition=Node.status.is_in("pending", "ready"),
        )
    except UpdateError:
        raise HTTPException(status.HTTP_409_CONFLICT, "node changed or is already quarantined")
    return node_out(node)
