"""Responses carry internal error text: database and AWS SDK errors, stack traces, debug pages.

## What it does
Sends malformed identifiers to each read operation (and, with `--active`, calls each
item action once on a fresh object of its own), then searches every response the
run recorded (its own and the other probes') for internal error text: botocore's
`An error occurred (Code) when calling the Operation`, DynamoDB exception names, AWS
SDK errors, SQL and ORM errors (SQLAlchemy, sqlite, psycopg), framework debug pages
(Werkzeug, Starlette, Django), Python and Java stack traces, AWS ARNs. Each operation
that leaked is reported once, with the response that shows it, and the fix speaks of
what leaked.

## Why is this bad?
Error text tells an attacker the table layout, key names, condition expressions, the
account id and region, and which inputs reach the database unvalidated. `str(e)` of a
ClientError is the usual culprit.

## Example
```python
except ClientError as e:
    raise HTTPException(400, detail=str(e))
```

## Use instead
```python
except ClientError as e:
    if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
        raise HTTPException(409, detail="conflict") from None
    log.exception("dynamodb failure")
    raise HTTPException(500, detail="internal error") from None
```
`dynaguard.guard` maps DynamoDB errors to safe HTTP answers.

## References
- https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/
- https://cwe.mitre.org/data/definitions/209.html
"""

from __future__ import annotations

import re
from dataclasses import replace

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.probe.context import ProbeContext
from dynaguard.probe.resources import fill

# Identifiers likely to reach DynamoDB and fail there: over the 2048-byte partition-key
# limit (DynamoDB developer guide, "Service, account, and table quotas"), odd characters.
# An integer over 64 bits fails in SQL drivers (OverflowError) and numeric parsers.
TRIGGERS = ("x" * 2100, "'\"{}", "%00", str(2**63))
HANDOVER = re.compile(r"transfer|share|invite|assign|owner|give|move", re.IGNORECASE)


@register(
    id="DG207",
    name="error-leak",
    title="A response carries internal error text",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe="CWE-209",
    owasp_api="API8:2023",
    fix="Map DynamoDB/botocore errors to fixed messages (409 for a failed condition, "
    "500 otherwise) and log the detail; see dynaguard.guard error mapping.",
)
async def check(ctx: ProbeContext) -> list[Finding]:
    """Trigger errors with bad ids, then search every recorded answer for internals."""
    from dynaguard.probe.heuristics import leaks

    identity = ctx.owner or ctx.anonymous
    for res in ctx.resources:
        op = res.read
        if op is None or res.item is None or res.collection_params() or res.singleton:
            continue
        for bad in TRIGGERS:
            await ctx.send(identity, op, fill(res.item, {res.id_param or "id": bad}))
    await _exercise_actions(ctx)
    ops = {o.route: o for o in ctx.spec.operations}
    findings: list[Finding] = []
    seen: set[str] = set()
    for ex in list(ctx.client.log):
        op = ops.get(ex.route)
        if op is None or ex.route in seen:
            continue
        found = leaks(ex.response_body)
        if found:
            seen.add(ex.route)
            kinds = ", ".join(f"{k} ({t[:60]!r})" for k, t in found)
            finding = ctx.finding(
                "DG207",
                op,
                f"HTTP {ex.status} answer to {ex.method} {ex.url} leaks {kinds}.",
                [ex],
                leaks=[k for k, _ in found],
            )
            findings.append(replace(finding, fix=fix_for([k for k, _ in found], finding.fix)))
    return findings


def fix_for(kinds: list[str], default: str) -> str:
    """The fix for what actually leaked: SQL, a debug page, a trace -- DynamoDB's only if so."""
    from dynaguard.probe.heuristics import LEAK_FIXES

    specific = [LEAK_FIXES[k] for k in dict.fromkeys(kinds) if k in LEAK_FIXES]
    aws = any(k not in LEAK_FIXES for k in kinds)
    parts = [default] if aws or not specific else []
    return "; ".join([*parts, *(s[0].upper() + s[1:] for s in specific)]) + (
        "" if aws or not specific else "."
    )


async def _exercise_actions(ctx: ProbeContext) -> None:
    """With --active, call each item action once as the owner on a fresh object of its own."""
    owner = ctx.owner
    if not ctx.active or owner is None:
        return
    for res in ctx.resources:
        for op in res.actions:
            # Handing the object to someone else would leave it undeletable by this run.
            if HANDOVER.search(op.path):
                continue
            obj, _ = await ctx.create(res, owner)
            if obj is None:
                break
            body = ctx.body(op, owner) if op.body_schema else None
            await ctx.send(owner, op, fill(op.path, obj.params), body=body)
