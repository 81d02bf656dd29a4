"""Privileges a principal's class computes itself: `@property def is_librarian(self):
return "librarian" in self.roles`. Such a property is a role of the principal whatever it
is called: testing it lets only some callers through."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from dynaguard.scan.aliases import env_default
from dynaguard.scan.authn_body import ROLE_FIELD, privileged_values
from dynaguard.scan.authn_resolve import Body
from dynaguard.scan.frames import Frame
from dynaguard.scan.model import ClassRef, FunctionInfo
from dynaguard.scan.symbols import PROPERTIES, ModuleInfo, last_name
from dynaguard.scan.walk import own_nodes

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project


def role_properties(p: Project, body: Body) -> set[str]:
    """The properties of the class a dependency returns that test one of its role fields
    against privileged values."""
    out: set[str] = set()
    for cls in _returned(p, body):
        for c in p.mro(cls):
            for name, qual in c.methods.items():
                fn = p.functions.get(qual)
                if fn is not None and _privilege_property(fn, p.module_of(fn)):
                    out.add(name)
    return out


def _returned(p: Project, body: Body) -> set[str]:
    """The project classes the body is annotated to return, or constructs in a return."""
    exprs = [body.node.returns] if body.node.returns is not None else []
    exprs += [
        n.value.func
        for n in own_nodes(body.node)
        if isinstance(n, ast.Return) and isinstance(n.value, ast.Call)
    ]
    found = (
        p.resolve_expr(e, body.module) for e in exprs if isinstance(e, ast.Name | ast.Attribute)
    )
    return {s.qualname for s in found if isinstance(s, ClassRef)}


def _privilege_property(fn: FunctionInfo, mod: ModuleInfo) -> bool:
    if not any(last_name(d) in PROPERTIES for d in fn.node.decorator_list):
        return False
    params = [a.arg for a in fn.params]
    me = params[0] if params else "self"
    returns = [n.value for n in own_nodes(fn.node) if isinstance(n, ast.Return) and n.value]
    return bool(returns) and all(_tests_role(r, me, mod) for r in returns)


def _tests_role(e: ast.expr, me: str, mod: ModuleInfo) -> bool:
    """`"x" in self.roles`, `self.role == "x"`, `... or ...` of such: fixed values, not all
    of them ordinary."""
    if isinstance(e, ast.BoolOp):
        return all(_tests_role(v, me, mod) for v in e.values)
    if not (isinstance(e, ast.Compare) and len(e.ops) == 1):
        return False
    sides = [e.left, *e.comparators]
    mine = [
        s
        for s in sides
        if isinstance(s, ast.Attribute)
        and isinstance(s.value, ast.Name)
        and s.value.id == me
        and ROLE_FIELD.match(s.attr)
    ]
    values = [
        c.value
        for s in sides
        if s not in mine
        for c in ast.walk(s)
        if isinstance(c, ast.Constant) and isinstance(c.value, str)
    ]
    # a module constant: `APPROVERS = "approvers"`, or an environment variable's default
    values += [
        text
        for s in sides
        if isinstance(s, ast.Name) and s.id in mod.globals
        for g in mod.globals[s.id][:1]
        if (text := _text(g, mod)) is not None
    ]
    roles = {v.lower() for v in values}
    return bool(mine) and bool(roles) and privileged_values(e, e.left in mine, roles)


def _text(value: ast.expr, mod: ModuleInfo) -> str | None:
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    return env_default(value, Frame(None, mod))
