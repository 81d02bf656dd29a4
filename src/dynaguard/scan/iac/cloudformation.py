"""CloudFormation / SAM templates and serverless.yml -> Statements and managed policies."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from dynaguard.scan.iac.located import line_of
from dynaguard.scan.iac.model import Managed, Statement
from dynaguard.scan.iac.policy import REF, Reader

COGNITO = "cognito-identity.amazonaws.com"
FUNCTIONS = frozenset({"AWS::Serverless::Function", "AWS::Lambda::Function"})
# SAM policy templates: what they grant on their TableName
SAM_TEMPLATES = {
    "DynamoDBCrudPolicy": (
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:Query",
        "dynamodb:Scan",
    ),
    "DynamoDBWritePolicy": ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
    "DynamoDBReadPolicy": ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"),
}


def is_template(doc: object) -> bool:
    """A CloudFormation/SAM template, or a serverless.yml."""
    if not isinstance(doc, dict):
        return False
    return (
        "AWSTemplateFormatVersion" in doc
        or isinstance(doc.get("Resources"), dict)
        or ("service" in doc and "provider" in doc)
    )


def _open(doc: Mapping[str, object], path: str) -> tuple[bool, Mapping[str, object], Reader]:
    """(serverless?, the resources, a reader knowing the tables and `${self:custom.x}`):
    a serverless.yml keeps CloudFormation resources under `resources: Resources:`."""
    serverless = "provider" in doc and "service" in doc
    resources = doc.get("Resources")
    extra = doc.get("resources")
    if serverless and isinstance(extra, dict):
        resources = extra.get("Resources")
    res: Mapping[str, object] = resources if isinstance(resources, dict) else {}
    variables = dict(_custom(doc.get("custom"), "self:custom")) if serverless else {}
    source = "serverless" if serverless else "cloudformation"
    reader = Reader(path, source, variables=variables)
    reader.tables = _tables(res, reader)
    return serverless, res, reader


def read(doc: Mapping[str, object], path: str) -> tuple[list[Statement], list[Managed]]:
    """Every grant of a template (or of a serverless.yml and its `resources:`)."""
    serverless, res, reader = _open(doc, path)
    per_user = {name for name, r in res.items() if _type(r) == "AWS::IAM::Role" and _cognito(r)}
    stmts: list[Statement] = []
    managed: list[Managed] = []
    for name, r in res.items():
        props = r.get("Properties") if isinstance(r, dict) else None
        if not isinstance(props, dict):
            continue
        kind = _type(r)
        mine = name in per_user or any(_refs(x) & per_user for x in _list(props.get("Roles")))
        for doc_ in _documents(kind, props):
            stmts += reader.document(doc_, mine)
        for arn in _list(props.get("ManagedPolicyArns")):
            managed.append(
                Managed(path, line_of(arn, line_of(props)), reader.text(arn), reader.source)
            )
        if kind == "AWS::Serverless::Function":
            s, m = _sam_policies(reader, props.get("Policies"), line_of(props))
            stmts += s
            managed += m
    if serverless:
        stmts += _serverless(reader, doc)
    return stmts, managed


def environment(doc: Mapping[str, object]) -> dict[str, str]:
    """Environment variables of the template's functions (and SAM Globals, serverless
    provider/functions `environment`), by the table name their value names."""
    _, res, reader = _open(doc, "")
    blocks: list[object] = []
    for r in res.values():
        props = r.get("Properties") if isinstance(r, dict) else None
        if _type(r) in FUNCTIONS and isinstance(props, dict):
            env = props.get("Environment")
            blocks.append(env.get("Variables") if isinstance(env, dict) else None)
    glob = _path(doc, "Globals", "Function", "Environment", "Variables")
    blocks += [glob, _path(doc, "provider", "environment")]
    functions = doc.get("functions")
    for fn in functions.values() if isinstance(functions, dict) else []:
        blocks.append(fn.get("environment") if isinstance(fn, dict) else None)
    out: dict[str, str] = {}
    for block in blocks:
        for var, value in block.items() if isinstance(block, dict) else []:
            name = reader.table_of(value) or REF.sub("", reader.text(value)).strip("-_.")
            if name:
                out[str(var)] = name
    return out


def _path(doc: object, *keys: str) -> object:
    for k in keys:
        doc = doc.get(k) if isinstance(doc, dict) else None
    return doc


def _type(r: object) -> str:
    return str(r.get("Type", "")) if isinstance(r, dict) else ""


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _custom(value: object, prefix: str) -> Iterator[tuple[str, str]]:
    """serverless.yml `custom:` values by their variable name (`self:custom.tables.orders`)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _custom(v, f"{prefix}.{k}")
    elif isinstance(value, str | int):
        yield prefix, str(value)


def _tables(res: Mapping[str, object], reader: Reader) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, r in res.items():
        if _type(r) in (
            "AWS::DynamoDB::Table",
            "AWS::DynamoDB::GlobalTable",
            "AWS::Serverless::SimpleTable",
        ):
            props = r.get("Properties") if isinstance(r, dict) else None
            given = props.get("TableName") if isinstance(props, dict) else None
            if isinstance(given, dict) and isinstance(given.get("Fn::Sub"), str):
                given = given["Fn::Sub"]  # !Sub "${Stage}-orders"
            if isinstance(given, str):  # the name without its stage placeholders
                given = REF.sub("", reader.expand(given)).strip("-_.") or None
            out[name] = given if isinstance(given, str) else name
    return out


def _cognito(role: object) -> bool:
    props = role.get("Properties") if isinstance(role, dict) else None
    trust = props.get("AssumeRolePolicyDocument") if isinstance(props, dict) else None
    return COGNITO in repr(trust)


def _refs(value: object) -> set[str]:
    if isinstance(value, dict) and len(value) == 1:
        inner = next(iter(value.values()))
        return {str(inner).split(".")[0]}
    return set()


def _documents(kind: str, props: Mapping[str, object]) -> Iterator[object]:
    if kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        yield props.get("PolicyDocument")
    if kind in ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"):
        for p in _list(props.get("Policies")):
            if isinstance(p, dict):
                yield p.get("PolicyDocument")


def _sam_policies(
    reader: Reader, policies: object, near: int
) -> tuple[list[Statement], list[Managed]]:
    stmts: list[Statement] = []
    managed: list[Managed] = []
    for p in _list(policies):
        if isinstance(p, str):  # a managed policy by name
            managed.append(
                Managed(reader.path, line_of(p, line_of(policies, near)), p, reader.source)
            )
        elif isinstance(p, dict) and "Statement" in p:
            stmts += reader.document(p)
        elif isinstance(p, dict):
            for template, args in p.items():
                actions = SAM_TEMPLATES.get(template)
                table = args.get("TableName") if isinstance(args, dict) else None
                if actions and table is not None:
                    name = reader.table_of(table) or reader.text(table)
                    stmts.append(
                        Statement(
                            reader.path,
                            line_of(p, near),
                            actions,
                            (reader.text(table),),
                            (name,),
                            source=reader.source,
                        )
                    )
    return stmts, managed


def _serverless(reader: Reader, doc: Mapping[str, object]) -> list[Statement]:
    """provider.iam.role.statements (v3), provider.iamRoleStatements (v1/v2), per function."""
    out: list[Statement] = []
    provider = doc.get("provider")
    blocks: list[object] = []
    if isinstance(provider, dict):
        iam = provider.get("iam")
        role = iam.get("role") if isinstance(iam, dict) else None
        blocks += [role.get("statements") if isinstance(role, dict) else None]
        blocks += [provider.get("iamRoleStatements")]
    functions = doc.get("functions")
    for fn in functions.values() if isinstance(functions, dict) else []:
        if isinstance(fn, dict):
            blocks += [fn.get("iamRoleStatements")]
    for block in blocks:
        for st in _list(block):
            if isinstance(st, dict):
                out += reader.statement(st, False, line_of(block))
    return out
