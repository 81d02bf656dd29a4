from fastapi import HTTPException, status

from .auth import User
from .models import Acl, Node

ROLE_RANK = {"viewer": 1, "editor": 2, "owner": 3}
MAX_DEPTH = 32


def effective_role(node: Node, user: User) -> str | None:
    """Role of `user` on `node`, inherited from the closest ancestor with a grant."""
    if node.owner_sub == user.sub:
        return "owner"
    current: Node | None = node
    for _ in range(MAX_DEPTH):
        try:
            return Acl.get(current.node_id, user.sub).role
        except Acl.DoesNotExist:
            pass
        if current.parent_id is None:
            return None
        try:
            current = Node.get(current.parent_id)
        except Node.DoesNotExist:
            return None
        if current.owner_sub == user.sub:
            return "owner"
    return None


def require_access(resource_id: str, user: User, min_role: str) -> Node:
    try:
        node = Node.get(resource_id)
    except Node.DoesNotExist:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
    if user.is_admin:
        return node
    role = effective_role(node, user)
    if role is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
    if ROLE_RANK[role] < ROLE_RANK[min_role]:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"{min_role} access required")
    return node
