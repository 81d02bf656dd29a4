"""AWS CDK in Python (aws_cdk.aws_iam / aws_dynamodb constructs) -> Statements.

Read from the syntax tree, never run: tables by the variable (or attribute) holding the
construct, `grant_*` calls on them, `iam.PolicyStatement(...)`, managed policies, and
roles assumed by Cognito identity-pool users (per-user identities).
"""

from __future__ import annotations

import ast
from dataclasses import replace

from dynaguard.scan.iac.model import Managed, Statement
from dynaguard.scan.walk import nodes

GRANTS = {
    "grant_full_access": ("dynamodb:*",),
    "grant_read_write_data": (
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    ),
    "grant_write_data": ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
    "grant_read_data": ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"),
}
# constructors of a table construct: new ones, and existing tables imported by name or ARN
TABLES = frozenset(
    {"Table", "TableV2", "from_table_name", "from_table_arn", "from_table_attributes"}
)
COGNITO = "cognito-identity.amazonaws.com"
ATTACH = frozenset({"add_to_policy", "add_to_principal_policy", "add_statements"})


def read(tree: ast.Module, path: str) -> tuple[list[Statement], list[Managed]]:
    """Every grant a CDK module declares."""
    tables: dict[str, str] = {}
    per_user: set[str] = set()
    for node in nodes(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            name = _name(node.targets[0])
            ctor = _last(node.value.func)
            if ctor in TABLES and name:
                tables[name] = _table_name(node.value) or name
            if ctor == "Role" and name and COGNITO in ast.dump(node.value):
                per_user.add(name)
    # statements attached to a per-user role: role.add_to_policy(iam.PolicyStatement(...))
    mine = {
        id(arg)
        for node in nodes(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ATTACH
        and _name(node.func.value) in per_user
        for arg in node.args
    }
    stmts: list[Statement] = []
    managed: list[Managed] = []
    for node in nodes(tree):
        if not isinstance(node, ast.Call):
            continue
        fn = _last(node.func)
        # table.grant(fn, "dynamodb:GetItem", ...) names its actions; grant_* imply theirs
        granted = GRANTS.get(fn or "") or (
            _strings(ast.List(node.args[1:])) if fn == "grant" else ()
        )
        if granted and isinstance(node.func, ast.Attribute):
            table = tables.get(_name(node.func.value) or "")
            if table is not None:
                grantee = _name(node.args[0]) if node.args else None
                stmts.append(
                    Statement(
                        path,
                        node.lineno,
                        tuple(granted),
                        (f"table {table}",),
                        (table,),
                        per_user=grantee in per_user,
                        source="cdk",
                        column=node.col_offset + 1,
                    )
                )
        elif fn == "PolicyStatement" and not _denies(node):
            stmts.append(replace(_statement(node, path, tables), per_user=id(node) in mine))
        elif fn in ("from_aws_managed_policy_name", "from_managed_policy_arn") and node.args:
            arg = node.args[-1]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                managed.append(Managed(path, node.lineno, arg.value, "cdk", node.col_offset + 1))
    return stmts, managed


def environment(tree: ast.Module) -> dict[str, str]:
    """Environment variables handed to functions, by the table they name:
    `Function(..., environment={"ORDERS_TABLE": orders.table_name})`, `fn.add_environment(...)`."""
    tables: dict[str, str] = {}
    for node in nodes(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            name = _name(node.targets[0])
            if _last(node.value.func) in TABLES and name:
                tables[name] = _table_name(node.value) or name
    pairs: list[tuple[ast.expr | None, ast.expr]] = []
    for node in nodes(tree):
        if not isinstance(node, ast.Call):
            continue
        if _last(node.func) == "add_environment" and len(node.args) == 2:
            pairs.append((node.args[0], node.args[1]))
        for k in node.keywords:
            if k.arg == "environment" and isinstance(k.value, ast.Dict):
                pairs += list(zip(k.value.keys, k.value.values, strict=False))
    out: dict[str, str] = {}
    for key, value in pairs:
        table = tables.get(_name(value.value) or "") if isinstance(value, ast.Attribute) else None
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and table:
            out[key.value] = table  # orders.table_name / orders.table_arn
    return out


def _statement(node: ast.Call, path: str, tables: dict[str, str]) -> Statement:
    kw = {k.arg: k.value for k in node.keywords if k.arg}
    actions = _strings(kw.get("actions"))
    resources: list[str] = []
    names: list[str] = []
    given = kw.get("resources")
    for r in given.elts if isinstance(given, ast.List | ast.Tuple) else []:
        if isinstance(r, ast.Constant) and isinstance(r.value, str):
            resources.append(r.value)
        elif isinstance(r, ast.Attribute) and (_name(r.value) or "") in tables:
            resources.append(ast.unparse(r))
            names.append(tables[_name(r.value) or ""])
    conds = kw.get("conditions")
    keys = (
        [
            k.value
            for d in nodes(conds)
            if isinstance(d, ast.Dict)
            for k in d.keys
            if isinstance(k, ast.Constant) and isinstance(k.value, str)
        ]
        if conds
        else []
    )
    found = (tuple(actions), tuple(resources), tuple(names), tuple(keys))
    return Statement(path, node.lineno, *found, source="cdk", column=node.col_offset + 1)


def _strings(value: ast.expr | None) -> list[str]:
    if isinstance(value, ast.List | ast.Tuple):
        return [
            e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
        ]
    return []


def _denies(node: ast.Call) -> bool:
    """`iam.PolicyStatement(effect=iam.Effect.DENY, ...)`: a restriction, not a grant."""
    return any(k.arg == "effect" and _last(k.value) == "DENY" for k in node.keywords)


def _table_name(call: ast.Call) -> str | None:
    """table_name= / table_arn= (`Table(...)`, `from_table_attributes`), or the name/ARN
    argument of `Table.from_table_name(scope, id, name)` / `from_table_arn(scope, id, arn)`."""
    given = [k.value for k in call.keywords if k.arg in ("table_name", "table_arn")]
    if _last(call.func) in ("from_table_name", "from_table_arn"):
        given += call.args[2:3]
    for v in given:
        if isinstance(v, ast.Constant) and isinstance(v.value, str):
            return v.value.rsplit("table/", 1)[-1].split("/", 1)[0]
    return None


def _name(expr: ast.expr) -> str | None:
    """`orders` for `orders` and `self.orders`."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return None


def _last(expr: ast.expr) -> str | None:
    return (
        expr.attr
        if isinstance(expr, ast.Attribute)
        else expr.id
        if isinstance(expr, ast.Name)
        else None
    )
