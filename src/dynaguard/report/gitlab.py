"""GitLab SAST report (security-report-schemas 15.2.1), for `artifacts:reports:sast`.

GitLab shows each vulnerability in the merge request and the vulnerability report and
tracks it across pipelines by its primary identifier and location; the id is a UUID
derived from the finding's fingerprint, so it is stable while the code moves. A probe
finding has no file unless the correlated report resolved its route's handler; its route
goes in the details and in `location.method`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from dynaguard.core.findings import JSON, Finding, Severity
from dynaguard.core.result import Result
from dynaguard.core.taxonomy import cwe_url
from dynaguard.report._common import dumps, ordered

SCHEMA_VERSION = "15.2.1"
SCHEMA_URI = (
    "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/"
    f"v{SCHEMA_VERSION}/dist/sast-report-format.json"
)
_NAMESPACE = uuid.UUID("8f6f2c1e-4d8b-4a53-9a44-6b1f3c7d9e21")  # dynaguard's, fixed forever
_SEVERITY = {
    Severity.CRITICAL: "Critical",
    Severity.HIGH: "High",
    Severity.MEDIUM: "Medium",
    Severity.LOW: "Low",
    Severity.INFO: "Info",
}
_TIME = "%Y-%m-%dT%H:%M:%S"  # the schema's pattern: no fraction, no zone (UTC)


def render(result: Result, *, now: datetime | None = None) -> str:
    """The report as JSON text; `now` is the scan's end (default: the current UTC time)."""
    return dumps(report(result, now=now)) + "\n"


def report(result: Result, *, now: datetime | None = None) -> dict[str, JSON]:
    """The report as a JSON value."""
    end = (now or datetime.now(UTC)).astimezone(UTC)
    seconds = result.stats.get("seconds")
    took = float(seconds) if isinstance(seconds, int | float) and seconds >= 0 else 0.0
    tool: dict[str, JSON] = {
        "id": "dynaguard",
        "name": "dynaguard",
        "version": result.tool_version or "0",
        "vendor": {"name": "dynaguard"},
    }
    messages: list[JSON] = [{"level": "warn", "value": d.message or d.path} for d in result.errors]
    return {
        "$schema": SCHEMA_URI,
        "version": SCHEMA_VERSION,
        "scan": {
            "analyzer": tool,
            "scanner": tool,
            "type": "sast",
            "start_time": (end - timedelta(seconds=took)).strftime(_TIME),
            "end_time": end.strftime(_TIME),
            "status": "success",
            "messages": messages,
        },
        "vulnerabilities": [_vulnerability(f, result.target) for f in ordered(result.findings)],
    }


def _vulnerability(f: Finding, target: str) -> JSON:
    identifiers: list[JSON] = [
        {"type": "dynaguard_rule_id", "name": f"dynaguard {f.rule}", "value": f.rule}
    ]
    if f.cwe and f.cwe.upper().startswith("CWE-"):
        number = f.cwe.split("-", 1)[1]
        identifiers.append({"type": "cwe", "name": f.cwe, "value": number, "url": cwe_url(f.cwe)})
    if f.owasp_api:
        identifiers.append({"type": "owasp", "name": f"OWASP {f.owasp_api}", "value": f.owasp_api})
    location: dict[str, JSON] = {}
    if f.path:
        location["file"] = f.path
        if f.line:
            location["start_line"] = f.line
            if f.end_line and f.end_line >= f.line:
                location["end_line"] = f.end_line
    if f.route:
        location["method"] = f.route
    details: dict[str, JSON] = {}
    if f.route:
        details["route"] = {"type": "text", "name": "Route", "value": f.route}
    if target:
        details["target"] = {"type": "text", "name": "Target", "value": target}
    if f.evidence:
        details["evidence"] = {
            "type": "code",
            "name": "Evidence",
            "value": dumps(f.evidence),
            "lang": "json",
        }
    return {
        "id": str(uuid.uuid5(_NAMESPACE, f.fingerprint)),
        "name": f.title or f.name,
        "description": f.message or f.title,
        "severity": _SEVERITY[f.severity],
        "solution": f.fix,
        "identifiers": identifiers,
        "location": location,
        "details": details,
    }
