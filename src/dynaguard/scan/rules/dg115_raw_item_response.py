"""Raw DynamoDB items returned with no response model.

## What it does
Reports a route's `return` of a whole item read from DynamoDB (`resp["Item"]`,
`resp["Items"]`, a helper that returns one, a PynamoDB item's `attribute_values`, also from
a query on one of the model's indexes), or of a new dict that carries them whole as a
field (a page envelope, `{"items": resp["Items"], "next": token}`) or spreads one into
itself (`{**item, "viewer": me}`), when the route declares no response model:
no `response_model=` on the decorator (or `response_model=None`) and no Pydantic return
annotation. An item passed through a Pydantic model by hand (`Out(**item)`,
`Out.model_validate(item)`, a list of them, their `model_dump()`) is not raw: the model
keeps its declared fields only (`model_construct`, which keeps every extra, is raw).

## Why is this bad?
The client receives every attribute the item holds, including those the API never meant
to show: password hashes, reset tokens, internal scores, other users' ids, version
counters and every attribute a later change adds to the table (OWASP API3:2023,
excessive data exposure). A response model is an allow-list that FastAPI enforces.

## Example
```python
@router.get("/users/me")
def me(user: User = Depends(current_user)):
    return users.get_item(Key={"username": user.name})["Item"]
```

## Use instead
```python
class ProfileOut(BaseModel):
    username: str
    display_name: str

@router.get("/users/me", response_model=ProfileOut)
def me(user: User = Depends(current_user)):
    return users.get_item(Key={"username": user.name})["Item"]
```

## References
- https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/
- https://fastapi.tiangolo.com/tutorial/response-model/
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.core.registry import register
from dynaguard.scan import query as q
from dynaguard.scan.queries.responses import finding_at, raw_item_returns, response_model


@register(
    id="DG115",
    name="raw-item-response",
    title="Raw DynamoDB item returned with no response model",
    severity=q.Severity.MEDIUM,
    confidence=q.Confidence.HIGH,
    cwe="CWE-213",
    owasp_api="API3:2023",
    fix="Declare response_model= (or a Pydantic return annotation) listing the fields the "
    "client may see.",
)
def check(project: q.Project) -> Iterator[q.Finding]:
    """Routes returning whole items without a response model."""
    rule = q.meta("DG115")
    for route in q.routes(project):
        if response_model(project, route):
            continue
        for spot in raw_item_returns(project, route):
            yield finding_at(
                rule,
                spot,
                route,
                f"returns the raw item ({spot.what}) with no response model: every stored "
                "attribute reaches the client",
                anchor="return",
            )
