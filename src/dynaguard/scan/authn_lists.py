"""Privilege kept in a table: the caller's own item in an allow-list (`moderators`,
`staff`), looked up by the caller's id alone, and 403 when it is not there.

`Moderator.get(viewer.user_id)` with `except Moderator.DoesNotExist: raise
HTTPException(403)` lets only listed callers through, as a role compared with fixed values
would. A lookup that also takes a request value (`members.get(team_id, me)`) is a
membership of one object, not a privilege; a missing profile answered 401 is
authentication.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from dynaguard.scan.authn_body import BodyScan
from dynaguard.scan.authn_resolve import Body
from dynaguard.scan.frames import Frame
from dynaguard.scan.model import Handle, HandleKind
from dynaguard.scan.statuses import call_status
from dynaguard.scan.walk import own_nodes

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project

__all__ = ["allow_listed"]

GETS = frozenset({"get", "get_item"})
TABLES = frozenset({HandleKind.PYNAMODB_MODEL, HandleKind.TABLE, HandleKind.CLIENT})


def allow_listed(p: Project, body: Body, scan: BodyScan) -> bool:
    """The body reads a DynamoDB item by the caller's own id alone (a PynamoDB model, a
    Table or a client, as the index types them: not any object's `get`) and answers 403
    (only) otherwise."""
    found = own_nodes(body.node)
    frame = Frame(body.fn, body.module)
    looked = any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in GETS
        and _by_caller_alone(n, scan)
        and (handle := p.types.of(n.func.value, frame)) is not None
        and isinstance(handle, Handle)
        and handle.kind in TABLES
        for n in found
    )
    return looked and _forbids(found)


def _by_caller_alone(call: ast.Call, scan: BodyScan) -> bool:
    """`Model.get(me)` (one key value, the caller's), or `get_item(Key={...: me})`."""
    assert isinstance(call.func, ast.Attribute)
    if call.func.attr == "get":
        args = [*call.args, *(k.value for k in call.keywords if k.arg != "consistent_read")]
        return len(args) == 1 and scan.principal_of(args[0])
    key = next((k.value for k in call.keywords if k.arg == "Key"), None)
    if not isinstance(key, ast.Dict) or not key.values:
        return False
    return all(scan.principal_of(v) for v in key.values)


def _forbids(found: list[ast.AST]) -> bool:
    """Every raise here answers 403 (a 401 is a missing caller, not a missing right)."""
    codes = [
        call_status(n.exc) if isinstance(n.exc, ast.Call) else set()
        for n in found
        if isinstance(n, ast.Raise) and n.exc is not None
    ]
    return bool(codes) and all(c == {403} for c in codes)
