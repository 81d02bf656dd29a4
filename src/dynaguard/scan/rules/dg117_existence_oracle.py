"""Different answers for another user's object and a missing one.

## What it does
Follows a route's read of an item and the checks made on it (helpers included) and
reports the read when a missing item is answered 404 but an item owned by someone else
is answered 403 (or the reverse: any two different statuses for the two cases).

## Why is this bad?
The difference tells any caller which identifiers exist: enumerate ids, learn which
e-mail addresses have accounts, which order numbers are real, then aim the next attack
at them (OWASP API1:2023). For an object the caller may not see, "not yours" and
"not there" must be the same answer.

## Example
```python
doc = table.get_item(Key={"id": doc_id}).get("Item")
if doc is None:
    raise HTTPException(404)
if doc["owner"] != user.id:
    raise HTTPException(403)
```

## Use instead
```python
doc = table.get_item(Key={"id": doc_id}).get("Item")
if doc is None or doc["owner"] != user.id:
    raise HTTPException(404)
```
Better still, put the owner in the key or the condition so a foreign item is never read:
the guard library's `GuardedTable.get(key, owner=user.id)` answers both with `None`.

## References
- https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/
- https://cwe.mitre.org/data/definitions/204.html
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.scan.flow import Event, events
from dynaguard.scan.index import Project
from dynaguard.scan.report import at_call, meta, where
from dynaguard.scan.rules._shared import raised_statuses


@register(
    id="DG117",
    name="existence-oracle",
    title="Different answers for another user's object and a missing one",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    cwe="CWE-204",
    owasp_api="API1:2023",
    fix="Answer 404 both when the item is missing and when it belongs to someone else "
    "(one check: `if item is None or item['owner'] != user`).",
)
def check(project: Project) -> Iterator[Finding]:
    """Reads whose ownership check and existence check answer different statuses."""
    m = meta("DG117")
    for route in project.routes:
        evs = events(project, route)
        checks = [e for e in evs if e.kind == "check" and isinstance(e.node, ast.If)]
        for read in evs:
            if read.kind != "read" or read.call is None:
                continue
            mine = [c for c in checks if id(read.node) in c.reads]
            owner = _statuses([c for c in mine if c.principal])
            missing = _statuses([c for c in mine if not c.principal and not c.attrs])
            if owner and missing and owner != missing:
                yield at_call(
                    m,
                    read.call,
                    route,
                    f"another user's item is answered {_text(owner)} but a missing one "
                    f"{_text(missing)}: any caller can tell which ids exist",
                    evidence={
                        "ownership_check": where(next(c for c in mine if c.principal)),
                        "existence_check": where(
                            next(c for c in mine if not (c.principal or c.attrs))
                        ),
                    },
                )


def _statuses(checks: list[Event]) -> set[int]:
    out: set[int] = set()
    for c in checks:
        assert isinstance(c.node, ast.If)
        out |= raised_statuses(c.node.body)
    return out


def _text(statuses: set[int]) -> str:
    return "/".join(str(s) for s in sorted(statuses))
