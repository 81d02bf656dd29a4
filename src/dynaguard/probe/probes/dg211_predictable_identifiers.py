"""Object ids are sequential or otherwise guessable.

## What it does
Collects the ids of the objects the run created or listed, per resource. Reported when
they are consecutive integers (with `--active`, confirmed by predicting the next id and
creating an object that receives it) or time-based UUIDs (version 1).

## Why is this bad?
Guessable ids turn every authorization slip into a full enumeration: an attacker walks
1, 2, 3... instead of needing a leaked id. They also reveal business volumes (how many
orders today) to anyone who creates two objects.

## Example
```python
note_id = str(table.update_item(Key={"pk": "counter"}, UpdateExpression="ADD n :one",
                                ReturnValues="UPDATED_NEW", ...)["Attributes"]["n"])
```

## Use instead
```python
note_id = str(uuid.uuid4())   # 122 random bits
```

## References
- https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/
- https://cwe.mitre.org/data/definitions/330.html
"""

from __future__ import annotations

import uuid

from dynaguard.core.findings import JSON, Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.probe.context import ProbeContext
from dynaguard.probe.evidence import Exchange
from dynaguard.probe.resources import Resource


@register(
    id="DG211",
    name="predictable-identifiers",
    title="Object ids are sequential or guessable",
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    cwe="CWE-330",
    owasp_api="API1:2023",
    fix="Generate ids from a CSPRNG (uuid4) and never from counters or timestamps.",
)
async def check(ctx: ProbeContext) -> list[Finding]:
    """Consecutive integer ids (confirmed by prediction) or UUIDv1 ids."""
    findings: list[Finding] = []
    for res in ctx.resources:
        op = res.create or res.read
        # The run's own creations first: an old object listed beside them (id 1 of a
        # long-running app) would hide how consecutive the ids handed out now are.
        created = [o.id for o in ctx.objects if o.resource is res and o.created]
        ids = created if len(created) >= 2 else [o.id for o in ctx.objects if o.resource is res]
        if op is None or len(ids) < 2 or res.singleton:
            continue
        if all(_is_v1(i) for i in ids):
            findings.append(
                ctx.finding(
                    "DG211",
                    op,
                    f"ids of {res.collection} are time-based UUIDv1.",
                    [],
                    ids=list[JSON](ids[:5]),
                )
            )
            continue
        numbers = sorted({int(i) for i in ids if i.isdigit()})
        if len(numbers) == len(set(ids)) and numbers[-1] - numbers[0] <= 4 * len(numbers):
            proof = await _predict(ctx, res, numbers[-1] + 1)
            if proof is not None or len(numbers) >= 3:
                findings.append(
                    ctx.finding(
                        "DG211",
                        op,
                        f"ids of {res.collection} are consecutive integers "
                        f"({', '.join(map(str, numbers[:5]))})"
                        + ("; the next id was predicted exactly." if proof else "."),
                        [proof] if proof else [],
                        ids=list[JSON](str(n) for n in numbers[:10]),
                        confidence=Confidence.HIGH if proof else Confidence.MEDIUM,
                    )
                )
    return findings


async def _predict(ctx: ProbeContext, res: Resource, expected: int) -> Exchange | None:
    """Create one more object (active only); its id equal to the prediction is the proof."""
    owner = ctx.owner
    if not ctx.active or owner is None:
        return None
    obj, ex = await ctx.create(res, owner)
    if obj is None or ex is None:
        return None
    # Another client may create in between: the next id, or one just above it, still proves it.
    return ex if obj.id.isdigit() and 0 <= int(obj.id) - expected <= 2 else None


def _is_v1(text: str) -> bool:
    try:
        return uuid.UUID(text).version == 1
    except ValueError:
        return False
