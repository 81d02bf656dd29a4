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

from dynaguard.scan.authn_body import BodyScan
from dynaguard.scan.walk import own_nodes

__all__ = ["allow_listed"]

GETS = frozenset({"get", "get_item"})


def allow_listed(node: ast.FunctionDef | ast.AsyncFunctionDef, scan: BodyScan) -> bool:
    """The body looks the caller's own id up alone and answers 403 (only) otherwise."""
    found = own_nodes(node)
    looked = any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in GETS
        and _by_caller_alone(n, scan)
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
    codes = [_status(n.exc) for n in found if isinstance(n, ast.Raise) and n.exc is not None]
    return bool(codes) and all(c == 403 for c in codes)


def _status(exc: ast.expr) -> int | None:
    call = exc if isinstance(exc, ast.Call) else None
    if call is None:
        return None
    args = [*call.args[:1], *(k.value for k in call.keywords if k.arg == "status_code")]
    for a in args:
        if isinstance(a, ast.Constant) and isinstance(a.value, int):
            return a.value
        name = a.attr if isinstance(a, ast.Attribute) else a.id if isinstance(a, ast.Name) else ""
        if name.startswith("HTTP_") and name[5:8].isdigit():
            return int(name[5:8])
    return None
