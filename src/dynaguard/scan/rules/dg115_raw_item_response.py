"""Raw DynamoDB items returned with no response model.

## What it does
Reports a route's `return` of a whole item read from DynamoDB (`resp["Item"]`,
`resp["Items"]`, a helper that returns one) when the route declares no response model:
no `response_model=` on the decorator (or `response_model=None`) and no Pydantic return
annotation.

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

import ast
from collections.abc import Iterator

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.scan.index import Project
from dynaguard.scan.model import ClassRef, FunctionInfo
from dynaguard.scan.report import meta
from dynaguard.scan.rules._shared import at_node, home, whole_items


@register(
    id="DG115",
    name="raw-item-response",
    title="Raw DynamoDB item returned with no response model",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe="CWE-213",
    owasp_api="API3:2023",
    fix="Declare response_model= (or a Pydantic return annotation) listing the fields the "
    "client may see.",
)
def check(project: Project) -> Iterator[Finding]:
    """Routes returning whole items without a response model."""
    m = meta("DG115")
    for route in project.routes:
        fn, frame = home(project, route)
        if _has_model(project, fn):
            continue
        for ret in project.locals_of(frame).returns:
            found = whole_items(project.values.of(ret, frame))
            if found:
                yield at_node(
                    m,
                    fn,
                    ret,
                    route,
                    f"returns the raw item ({found[0].dotted}) with no response model: "
                    "every stored attribute reaches the client",
                    anchor="return",
                )


def _has_model(project: Project, fn: FunctionInfo) -> bool:
    """A response_model= other than None on the decorator, or a model return annotation."""
    for dec in fn.node.decorator_list:
        if not isinstance(dec, ast.Call):
            continue
        for kw in dec.keywords:
            if kw.arg == "response_model":
                return not (isinstance(kw.value, ast.Constant) and kw.value.value is None)
    return fn.node.returns is not None and _is_model(project, fn, fn.node.returns)


def _is_model(project: Project, fn: FunctionInfo, ann: ast.expr) -> bool:
    if isinstance(ann, ast.Subscript):  # list[Out], Optional[Out], Annotated[Out, ...]
        inner = ann.slice.elts if isinstance(ann.slice, ast.Tuple) else [ann.slice]
        return any(_is_model(project, fn, e) for e in inner[:1])
    if isinstance(ann, ast.BinOp):  # Out | None
        return _is_model(project, fn, ann.left) or _is_model(project, fn, ann.right)
    sym = project.resolve_expr(ann, project.module_of(fn))
    return isinstance(sym, ClassRef) and project.classes[sym.qualname].is_model
