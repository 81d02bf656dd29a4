"""IAM grants on DynamoDB wider than the service needs.

## What it does
Reads the infrastructure code beside the service — CloudFormation and SAM templates,
`serverless.yml`, Terraform (`.tf`, `.tf.json`), plain policy JSON and AWS CDK in Python
— and reports, at the statement's file and line: `dynamodb:*` or `*` actions; DynamoDB
actions on `Resource: "*"`; the `AmazonDynamoDBFullAccess` (and, at medium severity,
`AmazonDynamoDBReadOnlyAccess`) managed policies; write actions
on a table the scanned code only reads (a table the code names through an environment
variable is the one the IaC puts in that variable); and DynamoDB access granted to per-user
identities (Cognito identity-pool roles) with no `dynamodb:LeadingKeys` condition.

## Why is this bad?
The application's checks are the only thing between a request and the data when the
role may do anything: one injection, SSRF or leaked credential and the attacker deletes
tables, reads every other table of the account, or writes where the code never does.
For credentials handed to end users (Cognito identity pools), IAM is the *only* check:
without `LeadingKeys` every signed-in user can read and write every other user's items
directly with the SDK.

## Example
```yaml
Policies:
  - Statement:
      - Effect: Allow
        Action: "dynamodb:*"
        Resource: "*"
```

## Use instead
```yaml
Policies:
  - Statement:
      - Effect: Allow
        Action: [dynamodb:GetItem, dynamodb:Query]
        Resource: !GetAtt OrdersTable.Arn
```
For per-user identities add `Condition: {ForAllValues:StringEquals:
{dynamodb:LeadingKeys: ["${cognito-identity.amazonaws.com:sub}"]}}`. A grant that must
stay wide is suppressed on its first line: `# dynaguard: ignore[DG118] why`.

## References
- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
- https://cwe.mitre.org/data/definitions/250.html
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.core.findings import JSON, Confidence, Finding, Severity
from dynaguard.core.registry import RuleMeta, register
from dynaguard.scan import query as q
from dynaguard.scan.queries.iac import (
    Managed,
    Statement,
    code_tables,
    managed_policies,
    only_read,
    statements,
)

# AWS managed policies on every table of the account: what they grant, how bad it is
MANAGED = {
    "amazondynamodbfullaccess": ("every DynamoDB action", Severity.HIGH),
    "amazondynamodbreadonlyaccess": ("read access", Severity.MEDIUM),
}


@register(
    id="DG118",
    name="over-permissive-iam",
    title="IAM grant on DynamoDB wider than the service needs",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe="CWE-250",
    owasp_api="API8:2023",
    fix="Grant only the actions the code calls, on the tables it uses (their ARNs), and add a "
    "dynamodb:LeadingKeys condition for per-user identities.",
)
def check(project: q.Project) -> Iterator[Finding]:
    """Over-broad statements and managed policies in the IaC beside the code."""
    m = q.meta("DG118")
    usage = code_tables(project)
    for st in statements(project):
        reasons, severity = _reasons(st, usage)
        if reasons:
            actions: list[JSON] = [*st.actions]
            resources: list[JSON] = [*st.resources]
            tables: list[JSON] = [*st.tables]
            evidence: dict[str, JSON] = {
                "actions": actions,
                "resources": resources,
                "tables": tables,
            }
            yield _at(m, st, "; ".join(reasons), severity, evidence)
    for grant in managed_policies(project):
        found = MANAGED.get(grant.name.rsplit("/", 1)[-1].lower())
        if found is not None:
            message = f"{grant.name} grants {found[0]} on every table of the account"
            yield _at(m, grant, message, found[1], {"policy": grant.name})


def _reasons(st: Statement, usage: dict[str, bool]) -> tuple[list[str], Severity]:
    low = {a.lower() for a in st.actions}
    out: list[str] = []
    severity = Severity.MEDIUM
    if low & {"*", "dynamodb:*"}:
        out.append(f"grants every DynamoDB action ({', '.join(sorted(low & {'*', 'dynamodb:*'}))})")
        severity = Severity.HIGH
    if st.data() and "*" in st.resources:
        out.append('DynamoDB access on Resource "*": every table of the account')
        severity = Severity.HIGH
    if st.writes():
        read_only = [t for t in st.tables if only_read(t, usage)]
        if read_only:
            out.append(f"write access on {', '.join(read_only)}, which the code only reads")
    leading = any(k.lower() == "dynamodb:leadingkeys" for k in st.condition_keys)
    if st.per_user and st.data() and not leading:
        out.append(
            "per-user identities (Cognito identity pool) get DynamoDB access with no "
            "dynamodb:LeadingKeys condition: every user reaches every user's items"
        )
        severity = Severity.HIGH
    return out, severity


def _at(
    m: RuleMeta,
    at: Statement | Managed,
    message: str,
    severity: Severity,
    evidence: dict[str, JSON],
) -> Finding:
    return m.finding(
        message=message,
        anchor=f"iac:{at.source}:{evidence}",  # what is granted, not where: moves keep it
        path=at.path,
        line=at.line,
        column=at.column,
        evidence={"source": at.source, **evidence},
        severity=severity,
    )
