"""Exception text returned to the client.

## What it does
Reports the statement that sends an exception's text to the client: `raise
HTTPException(detail=str(e))`, `detail=e.response`, f-strings, `%`/`format` with the
exception, `JSONResponse(content={"error": repr(e)})`, `traceback.format_exc()`, a route
returning `{"error": str(e)}`, helper factories that build such a response from the
exception they are given (`raise http_error(e)`), and exception handlers
(`@app.exception_handler(Exception)`) that return `str(exc)`. Exceptions the project defines
itself are reported only when some code raises them with foreign text in them (`raise
StoreError(f"write failed: {exc}")` in a service, then `detail=str(err)` in the route);
otherwise their text is the app's own message. `HTTPException` and validation errors are not
reported, nor responses mapped to fixed text (`detail="conflict"` after checking
`e.response["Error"]["Code"]`).

## Why is this bad?
A botocore `ClientError` says which table, index, key schema and condition failed
(`ConditionalCheckFailedException`, `Requested resource not found: Table: prod-orders`,
`ValidationException: One or more parameter values were invalid: Missing the key owner_id in
the item`). Returned to the client it maps the data model, tells an attacker which guesses
hit an existing item, and can echo other users' values (OWASP API8:2023, CWE-209).

## Example
```python
try:
    table.update_item(...)
except ClientError as e:
    raise HTTPException(status_code=500, detail=str(e))
```

## Use instead
```python
except ClientError as e:
    if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
        raise HTTPException(status_code=409, detail="conflict") from e
    log.exception("update failed")
    raise HTTPException(status_code=500, detail="internal error") from e
```
With the guard library: `install_error_handlers(app)` maps guard and AWS errors to fixed
texts with a correlation id, and logs the details server-side.

## References
- https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/
- https://cwe.mitre.org/data/definitions/209.html
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.core.registry import register
from dynaguard.scan.queries.errors import error_leaks
from dynaguard.scan.query import JSON, Confidence, Finding, Project, Severity, meta


@register(
    id="DG112",
    name="error-detail-leak",
    title="Exception text returned to the client",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe="CWE-209",
    owasp_api="API8:2023",
    fix="Map the error to fixed text (409 for ConditionalCheckFailedException, 404, a generic "
    "500 with a correlation id) and log the details; the guard library's "
    "install_error_handlers(app) does this.",
)
def check(project: Project) -> Iterator[Finding]:
    """Responses built from an exception's text, in except blocks and exception handlers."""
    m = meta("DG112")
    for leak in error_leaks(project):
        evidence: dict[str, JSON] = {"function": leak.function, "exception": leak.exception}
        how = ""
        if leak.helper is not None:
            evidence["helper"] = leak.helper
            how = f" (built by {leak.helper.rpartition(' ')[2]})"
        if leak.wrapped is not None:
            evidence["wrapped"] = leak.wrapped
            how += f" (it carries the text of an error wrapped at {leak.wrapped})"
        medium = leak.severity is Severity.MEDIUM
        yield m.finding(
            message=f"the text of the caught exception ({leak.exception}) is sent to the "
            f"client{how}"
            + (": botocore errors name tables, keys and conditions" if medium else ""),
            anchor=f"{leak.function}:{leak.statement}",
            path=leak.path,
            line=leak.line,
            column=leak.column,
            end_line=leak.end_line,
            route=leak.route.label if leak.route else None,
            evidence=evidence,
            severity=leak.severity,
            confidence=Confidence.HIGH if medium else Confidence.MEDIUM,
        )
