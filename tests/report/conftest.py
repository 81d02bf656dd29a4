"""Hand-built Results for the renderer tests: static and probe findings, errors, unicode, empty."""

from __future__ import annotations

import pytest

from dynaguard.core.findings import Confidence, EngineKind, Finding, Severity, fingerprint
from dynaguard.core.registry import RuleMeta
from dynaguard.core.result import Diagnostic, Result

VERSION = "0.0.0-test"  # fixed so that golden files do not change with each release

DOC = """Short summary line.

## What it does
Finds {what}.

## Why is this bad?
Because {what} lets another user change data they do not own.

## Example
```python
table.update_item(Key={{"id": item_id}})
```

## Use instead
```python
table.update_item(Key={{"id": item_id}}, ConditionExpression="owner = :me")
```

## References
- https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
"""


def meta(
    rule: str, name: str, sev: Severity, owasp: str | None, cwe: str, *, title: str
) -> RuleMeta:
    """A rule's metadata, built by hand (the registry is left alone)."""
    return RuleMeta(
        id=rule,
        name=name,
        title=title,
        severity=sev,
        confidence=Confidence.HIGH,
        owasp_api=owasp,
        cwe=cwe,
        fix="Put the owner in the ConditionExpression (dynaguard.guard.OwnedTable).",
        doc=DOC.format(what=title.lower()),
        module=f"tests.{rule.lower()}",
    )


DG101 = meta(
    "DG101",
    "unconditional-write",
    Severity.HIGH,
    "API1:2023",
    "CWE-362",
    title="Unconditional write",
)
DG103 = meta(
    "DG103",
    "missing-ownership-check",
    Severity.HIGH,
    "API1:2023",
    "CWE-639",
    title="Request key without ownership check",
)
DG201 = meta("DG201", "bola-read", Severity.CRITICAL, "API1:2023", "CWE-639", title="BOLA read")
DG207 = meta(
    "DG207", "error-leak", Severity.MEDIUM, "API8:2023", "CWE-209", title="Error text leaked"
)


def finding(m: RuleMeta, anchor: str, **kw: object) -> Finding:
    """A finding of `m` with a stable fingerprint from `anchor`."""
    base: dict[str, object] = {
        "rule": m.id,
        "name": m.name,
        "severity": m.severity,
        "confidence": m.confidence,
        "title": m.title,
        "message": f"{m.title} at {anchor}",
        "fix": m.fix,
        "owasp_api": m.owasp_api,
        "cwe": m.cwe,
        "fingerprint": fingerprint(m.id, str(kw.get("path")), str(kw.get("route")), anchor),
    }
    base.update(kw)
    return Finding(**base)  # type: ignore[arg-type]


def static_result() -> Result:
    """Three findings in two files (one rule absent from `rules`), an error and a warning."""
    return Result(
        tool_version=VERSION,
        engine=EngineKind.STATIC,
        target="app",
        findings=(
            finding(
                DG103,
                "update_item",
                path="app/routes.py",
                line=12,
                column=5,
                end_line=14,
                route="PUT /items/{item_id}",
                message="item_id from the path reaches update_item with no owner comparison",
                evidence={"route": "app/routes.py:8", "key": ["id"]},
            ),
            finding(
                DG101,
                "put_item",
                path="app/repo.py",
                line=30,
                column=9,
                route="POST /items",
                severity=Severity.LOW,
            ),
            finding(
                DG101,
                "delete_item",
                path="app/routes.py",
                line=3,
                route="DELETE /items/{item_id}",
                severity=Severity.CRITICAL,
            ),
        ),
        errors=(Diagnostic(path="app/broken.py", line=7, message="invalid syntax"),),
        warnings=(
            Diagnostic(
                path="app/repo.py",
                line=44,
                kind="unused-suppression",
                message="unused suppression for DG108: no DG108 finding on this statement",
            ),
        ),
        rules=(DG103,),
        stats={"files": 3, "lines": 120},
    )


def probe_result() -> Result:
    """Probe findings (no path) on two routes, with request/response evidence."""
    return Result(
        tool_version=VERSION,
        engine=EngineKind.PROBE,
        target="http://127.0.0.1:8000",
        findings=(
            finding(
                DG207,
                "GET /items/{item_id}:leak",
                route="GET /items/{item_id}",
                message="500 response carries botocore text: ValidationException",
                evidence={"status": 500, "body": "An error occurred (ValidationException)"},
            ),
            finding(
                DG201,
                "GET /items/{item_id}",
                route="GET /items/{item_id}",
                message="identity bob read alice's item",
                evidence={
                    "request": "curl -H 'Authorization: Bearer [redacted]' http://127.0.0.1:8000/items/1",
                    "status": 200,
                },
            ),
            finding(
                DG201, "GET /notes/{id}", route="GET /notes/{id}", confidence=Confidence.MEDIUM
            ),
        ),
        errors=(
            Diagnostic(path="openapi.json", message="operation POST /upload skipped: multipart"),
        ),
        rules=(DG201, DG207),
    )


def unicode_result() -> Result:
    """Text that must be escaped: HTML, Markdown specials, backticks, non-ASCII paths."""
    return Result(
        tool_version=VERSION,
        engine=EngineKind.STATIC,
        target="sérvice dir",
        findings=(
            finding(
                DG103,
                "get_item",
                path="app/données/vue ü.py",
                line=2,
                route="GET /élèves/{id}",
                message='<script>alert("x")</script> | `id` *from* _path_ [link](http://x) — ✓',
            ),
        ),
        rules=(DG103,),
    )


def empty_result() -> Result:
    """Nothing found, nothing wrong."""
    return Result(tool_version=VERSION, engine=EngineKind.STATIC, target=".", findings=())


SAMPLES = {
    "static": static_result,
    "probe": probe_result,
    "unicode": unicode_result,
    "empty": empty_result,
}

# The source lines the text/markdown/html golden files quote.
SOURCE = {
    ("app/routes.py", 3): "    table.delete_item(Key={'id': item_id})",
    ("app/routes.py", 12): "    table.update_item(Key={'id': item_id}, UpdateExpression=expr)",
    ("app/données/vue ü.py", 2): "    return table.get_item(Key={'id': id})  # «clé»",
}


def source(path: str, line: int) -> str | None:
    """The SourceLines callback the golden files use."""
    return SOURCE.get((path, line))


@pytest.fixture(params=sorted(SAMPLES))
def sample(request: pytest.FixtureRequest) -> tuple[str, Result]:
    """Each sample Result with its name."""
    name: str = request.param
    return name, SAMPLES[name]()


@pytest.fixture
def samples() -> dict[str, Result]:
    """Every sample Result by name."""
    return {name: build() for name, build in SAMPLES.items()}


@pytest.fixture
def source_lines() -> object:
    """The SourceLines callback of the golden files."""
    return source
