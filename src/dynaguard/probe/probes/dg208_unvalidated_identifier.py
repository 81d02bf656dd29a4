"""Malformed or oversized identifiers make the API fail with a 5xx.

## What it does
Sends identifiers no valid object has to each read operation — over DynamoDB's 2048-byte
key limit (ASCII and multi-byte), unicode, punctuation, a float, and integers out of
range (`10**20`, `2**63`, `-1`) — and reports the operation when one of them produces a
5xx answer instead of a 4xx.

## Why is this bad?
A 5xx means the input went unchecked into code that could not handle it: usually the
DynamoDB call (ValidationException for keys over 2048 bytes or of the wrong type) or a
parser. Such paths leak internals, fill error budgets and alarms, and are where
injection and denial of service start.

## Example
```python
@app.get("/notes/{note_id}")
def get_note(note_id: str):
    return table.get_item(Key={"note_id": note_id, "rev": int(note_id.split(":")[1])})
```

## Use instead
```python
NoteId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]

@app.get("/notes/{note_id}")
def get_note(note_id: NoteId): ...   # FastAPI answers 422 before any DynamoDB call
```

## References
- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
- https://cwe.mitre.org/data/definitions/20.html
"""

from __future__ import annotations

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.probe.context import ProbeContext
from dynaguard.probe.evidence import Exchange
from dynaguard.probe.resources import fill

MALFORMED = ("a" * 2049, "é" * 1100, "☃-\u202e-id", " ", "-1", "1.5", "[]", "null")
# Integers out of every range a database takes: over 64 bits, the int64 overflow, negative.
OUT_OF_RANGE = (str(10**20), str(2**63), "-1")


@register(
    id="DG208",
    name="unvalidated-identifier",
    title="Malformed or oversized identifiers produce a server error",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    cwe="CWE-20",
    owasp_api="API8:2023",
    fix="Constrain path identifiers (type, length <= 2048 bytes, pattern) in the route "
    "signature so bad ids get 422 before any DynamoDB call.",
)
async def check(ctx: ProbeContext) -> list[Finding]:
    """Bad ids on each read; a 5xx is the proof."""
    identity = ctx.owner or ctx.anonymous
    findings: list[Finding] = []
    for res in ctx.resources:
        op = res.read
        values = ctx.parent_values(res, identity) if res.collection_params() else {}
        if op is None or res.item is None or values is None or res.singleton:
            continue
        failures: list[Exchange] = []
        for bad in dict.fromkeys((*MALFORMED, *OUT_OF_RANGE)):
            ex = await ctx.send(identity, op, fill(res.item, {**values, res.id_param or "id": bad}))
            if ex.status is not None and ex.status >= 500:
                failures.append(ex)
        if failures:
            findings.append(
                ctx.finding(
                    "DG208",
                    op,
                    f"{len(failures)} malformed identifier(s) made {op.route} answer "
                    f"{failures[0].status}.",
                    failures[:3],
                    malformed=len(failures),
                )
            )
    return findings
