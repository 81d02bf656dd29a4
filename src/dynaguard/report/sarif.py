"""SARIF 2.1.0 report, shaped for GitHub code scanning.

GitHub's SARIF support documentation drives the choices below: `security-severity`
(a string, > 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low) is read only
with the `security` tag; uris are relative to the repository root; results are
matched across runs by `partialFingerprints`; at most 25,000 results per run are kept
and `runAutomationDetails.id` separates static and probe uploads into categories.
"""

from __future__ import annotations

from urllib.parse import quote

from dynaguard.core.findings import JSON, Confidence, Finding, Severity
from dynaguard.core.registry import RuleMeta
from dynaguard.core.result import Diagnostic, Result
from dynaguard.core.taxonomy import OWASP_API_2023, cwe_url
from dynaguard.report._common import dumps, ordered

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
MAX_RESULTS = 25_000  # GitHub code scanning: results per run
FINGERPRINT_KEY = "dynaguard/v1"
SRCROOT = "%SRCROOT%"  # every artifact uri is relative to it (the scan root)

SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
LEVEL: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
PRECISION: dict[Confidence, str] = {
    Confidence.HIGH: "high",
    Confidence.MEDIUM: "medium",
    Confidence.LOW: "low",
}


def render(result: Result, *, help_base: str | None = None, src_root: str | None = None) -> str:
    """The SARIF log as JSON text; `help_base` is the URL of the rule pages (docs/rules)."""
    log = sarif_log(result, help_base=help_base, src_root=src_root)
    return dumps(log) + "\n"


def sarif_log(
    result: Result, *, help_base: str | None = None, src_root: str | None = None
) -> dict[str, JSON]:
    """The SARIF log as a JSON value; `src_root` is the absolute URI that paths are under."""
    findings = ordered(result.findings)
    dropped = 0
    if len(findings) > MAX_RESULTS:
        keep = sorted(findings, key=lambda f: -f.severity.rank)[:MAX_RESULTS]
        dropped = len(findings) - MAX_RESULTS
        findings = ordered(keep)
    metas = _rule_metas(result, findings)
    index = {m.id: i for i, m in enumerate(metas)}
    worst = _worst_by_rule(findings)
    notes: list[JSON] = [_notification(d, "error") for d in result.errors]
    notes += [_notification(d, "warning") for d in result.warnings]
    if dropped:
        msg = f"{dropped} lower-severity results omitted: GitHub accepts {MAX_RESULTS} per run"
        notes.append({"level": "warning", "message": {"text": msg}})
    run: dict[str, JSON] = {
        "tool": {
            "driver": {
                "name": "dynaguard",
                "semanticVersion": result.tool_version,
                "rules": [_rule(m, worst.get(m.id), help_base) for m in metas],
            }
        },
        "automationDetails": {"id": f"dynaguard/{result.engine.value}/"},
        # SARIF 3.20.14: false when the tool could not do all of its job (an incomplete run)
        "invocations": [
            {
                "executionSuccessful": result.stats.get("complete") is not False,
                "toolExecutionNotifications": notes,
            }
        ],
        "originalUriBaseIds": {SRCROOT: _base(src_root)},
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index[f.rule], result.target) for f in findings],
        "properties": {"target": result.target, "score": result.score, "grade": result.grade},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _rule_metas(result: Result, findings: list[Finding]) -> list[RuleMeta]:
    """The rules that ran, plus any rule a finding names that the result did not list."""
    metas = {m.id: m for m in result.rules}
    for f in findings:
        if f.rule not in metas:
            metas[f.rule] = _meta_from_finding(f)
    return [metas[k] for k in sorted(metas)]


def _meta_from_finding(f: Finding) -> RuleMeta:
    return RuleMeta(
        id=f.rule,
        name=f.name,
        title=f.title,
        severity=f.severity,
        confidence=f.confidence,
        owasp_api=f.owasp_api,
        cwe=f.cwe or "",
        fix=f.fix,
        doc="",
        module="",
    )


def _worst_by_rule(findings: list[Finding]) -> dict[str, Severity]:
    """Severity overrides change a finding's severity; the rule shows the worst seen."""
    worst: dict[str, Severity] = {}
    for f in findings:
        if f.rule not in worst or worst[f.rule] < f.severity:
            worst[f.rule] = f.severity
    return worst


def _rule(meta: RuleMeta, seen: Severity | None, help_base: str | None) -> JSON:
    severity = seen or meta.severity
    tags: list[JSON] = ["security", "dynaguard", meta.engine.value]
    if meta.cwe:
        tags.append(f"external/cwe/{meta.cwe.lower()}")
    if meta.owasp_api:
        tags.append(f"external/owasp-api-2023/{meta.owasp_api.split(':')[0].lower()}")
    props: dict[str, JSON] = {"tags": tags, "precision": PRECISION[meta.confidence]}
    if severity is not Severity.INFO:  # 0.0 is outside GitHub's ranges: leave it unset
        props["security-severity"] = SECURITY_SEVERITY[severity]
    if meta.owasp_api:
        props["owasp-api"] = f"{meta.owasp_api} {OWASP_API_2023.get(meta.owasp_api, '')}".strip()
    rule: dict[str, JSON] = {
        "id": meta.id,
        "name": _pascal(meta.name),
        "shortDescription": {"text": _cap(meta.title or meta.name, 1024)},
        "fullDescription": {"text": _cap(meta.why or meta.title or meta.name, 1024)},
        "defaultConfiguration": {"level": LEVEL[severity]},
        "help": _help(meta),
        "properties": props,
    }
    uri = f"{help_base.rstrip('/')}/{meta.id}.md" if help_base else None
    if uri is None and meta.cwe:
        uri = cwe_url(meta.cwe)
    if uri:
        rule["helpUri"] = uri
    return rule


def _help(meta: RuleMeta) -> JSON:
    fix = f"Fix: {meta.fix}"
    if not meta.doc:
        return {"text": fix, "markdown": f"**Fix:** {meta.fix}"}
    text = "\n".join(line.removeprefix("## ") for line in meta.doc.splitlines())
    return {"text": f"{fix}\n\n{text}", "markdown": f"**Fix:** {meta.fix}\n\n{meta.doc}"}


def _result(f: Finding, rule_index: int, target: str) -> JSON:
    out: dict[str, JSON] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": LEVEL[f.severity],
        "message": {"text": f.message or f.title},
        "locations": [_location(f, target)],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
    }
    props: dict[str, JSON] = {
        "severity": f.severity.value,
        "confidence": f.confidence.value,
        "fix": f.fix,
    }
    if f.route:
        props["route"] = f.route
    if f.evidence:
        props["evidence"] = f.evidence
    out["properties"] = props
    return out


def _location(f: Finding, target: str) -> JSON:
    loc: dict[str, JSON] = {}
    endpoint = None if f.path else _endpoint(target, f.route)
    if endpoint is not None:
        # GitHub refuses a result without an artifact location ("expected artifact
        # location"); a probe finding's artifact is the endpoint it proved, an absolute URI.
        loc["physicalLocation"] = {"artifactLocation": {"uri": endpoint}}
    if f.path:
        phys: dict[str, JSON] = {"artifactLocation": {"uri": _uri(f.path), "uriBaseId": SRCROOT}}
        if f.line:
            region: dict[str, JSON] = {"startLine": f.line}
            if f.column:
                region["startColumn"] = f.column
            if f.end_line and f.end_line >= f.line:
                region["endLine"] = f.end_line
            phys["region"] = region
        loc["physicalLocation"] = phys
    if f.route:
        # The HTTP operation: where a probe finding lives, and which route reaches a static one.
        loc["logicalLocations"] = [
            {"name": f.route, "fullyQualifiedName": f.route, "kind": "resource"}
        ]
    if not loc:
        loc["message"] = {"text": "no source location or route recorded"}
    return loc


def _endpoint(target: str, route: str | None) -> str | None:
    """`https://host/items/%7Bitem_id%7D` for a probe finding on an HTTP target, else None."""
    if not route or not target.startswith(("http://", "https://")):
        return None
    _, _, path = route.partition(" ")
    return target.rstrip("/") + quote(path if path.startswith("/") else "/" + path, safe="/-._~")


def _notification(d: Diagnostic, level: str) -> JSON:
    note: dict[str, JSON] = {"level": level, "message": {"text": d.message}}
    if d.path:
        phys: dict[str, JSON] = {"artifactLocation": {"uri": _uri(d.path), "uriBaseId": SRCROOT}}
        if d.line:
            phys["region"] = {"startLine": d.line}
        note["locations"] = [{"physicalLocation": phys}]
    if d.kind:
        note["descriptor"] = {"id": d.kind}
    return note


def _base(src_root: str | None) -> JSON:
    """The %SRCROOT% entry: its absolute URI when known (SARIF 3.14.14), else a description."""
    if src_root:
        return {"uri": src_root if src_root.endswith("/") else src_root + "/"}
    text = "The root of the scanned source tree; finding paths are relative to it."
    return {"description": {"text": text}}


def _uri(path: str) -> str:
    """A relative URI reference: forward slashes, percent-encoded (RFC 3986)."""
    path = path.replace("\\", "/")
    try:  # a file name that is not UTF-8: its own bytes, percent-encoded
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = path.encode("utf-8", "surrogatepass")
    return quote(raw, safe="/-._~")


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def _cap(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
