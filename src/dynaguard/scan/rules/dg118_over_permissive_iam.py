"""IAM grants on DynamoDB wider than the service needs.

## What it does
Reads the infrastructure code beside the service — CloudFormation and SAM templates,
`serverless.yml`, Terraform (`.tf`, `.tf.json`), plain policy JSON and AWS CDK in Python
— and reports, at the statement's file and line: `dynamodb:*` or `*` actions; DynamoDB
actions on `Resource: "*"`; the `AmazonDynamoDBFullAccess` managed policy; write actions
on a table the scanned code only reads; and DynamoDB access granted to per-user
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

import re
from collections.abc import Iterator

from dynaguard.core.findings import JSON, Confidence, Finding, Severity
from dynaguard.core.registry import RuleMeta, register
from dynaguard.scan import query as q
from dynaguard.scan.iac.model import Statement
from dynaguard.scan.rules._calls import code_tables, iac, only_read

FULL_ACCESS = re.compile(r"AmazonDynamoDBFullAccess", re.I)


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
    for st in iac(project).statements:
        reasons, severity = _reasons(st, usage)
        if reasons:
            actions: list[JSON] = [*st.actions]
            resources: list[JSON] = [*st.resources]
            yield _at(
                m,
                path=st.path,
                line=st.line,
                column=st.column,
                message="; ".join(reasons),
                source=st.source,
                severity=severity,
                evidence={"actions": actions, "resources": resources, "tables": [*st.tables]},
            )
    for grant in iac(project).managed:
        if FULL_ACCESS.search(grant.name):
            yield _at(
                m,
                path=grant.path,
                line=grant.line,
                column=grant.column,
                message=f"{grant.name} grants every DynamoDB action on every table of the account",
                source=grant.source,
                severity=Severity.HIGH,
                evidence={"policy": grant.name},
            )


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
    if (
        st.per_user
        and st.dynamodb()
        and not any(k.lower() == "dynamodb:leadingkeys" for k in st.condition_keys)
    ):
        out.append(
            "per-user identities (Cognito identity pool) get DynamoDB access with no "
            "dynamodb:LeadingKeys condition: every user reaches every user's items"
        )
        severity = Severity.HIGH
    return out, severity


def _at(
    m: RuleMeta,
    *,
    path: str,
    line: int,
    column: int,
    message: str,
    source: str,
    severity: Severity,
    evidence: dict[str, JSON],
) -> Finding:
    return m.finding(
        message=message,
        anchor=f"iac:{source}:{evidence}",
        path=path,
        line=line,
        column=column,
        evidence={"source": source, **evidence},
        severity=severity,
    )
