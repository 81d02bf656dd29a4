"""A read whose item nobody uses: only whether it exists matters (DG106).

`await db(User.get, body.username)` as a statement, inside `try: ... except
User.DoesNotExist: raise 404`, checks that the user the body names exists before sharing
with them: the item read is thrown away, so no other user's data is taken or changed.
"""

from __future__ import annotations

import ast

from dynaguard.scan.index import Project
from dynaguard.scan.model import DynamoCall
from dynaguard.scan.walk import own_nodes

__all__ = ["discarded_read"]


def discarded_read(project: Project, call: DynamoCall) -> bool:
    """A get whose result is a bare expression statement (awaited or not) in its function."""
    fn = project.functions.get(call.function or "")
    if call.operation != "get_item" or fn is None:
        return False
    at = (call.node.lineno, call.node.col_offset)
    for stmt in own_nodes(fn.node):
        if isinstance(stmt, ast.Expr):
            value = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
            if isinstance(value, ast.Call) and (value.lineno, value.col_offset) == at:
                return True
    return False
