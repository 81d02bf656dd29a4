"""Join a static and a probe result by route and class: one correlated Result.

A static finding and a probe finding are about the same flaw when they name the same
route (`METHOD /path`, parameter names ignored) and their rules are a pair below: the
rule says why the code is wrong, the probe proved it on the running app. The static
finding is then **confirmed**: it carries the probe's evidence (the exchanges, as curl
lines), its confidence becomes high and its severity the higher of the two; the probe
finding it absorbed is not listed twice. A probe finding with no static counterpart
keeps its place and, when the caller resolved the route's handler, points at its file
and line. Every finding says which it is in `evidence["correlation"]`:
"confirmed", "static" (not proven) or "probe" (no static counterpart).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from dynaguard.core.findings import JSON, Confidence, EngineKind, Finding
from dynaguard.core.registry import RuleMeta
from dynaguard.core.result import Diagnostic, Result

# Static rule -> the probes that prove the same class of flaw on a route.
PAIRS: dict[str, frozenset[str]] = {
    "DG101": frozenset({"DG205", "DG213", "DG214"}),  # unconditional write: lost update...
    "DG102": frozenset({"DG205"}),  # check-then-act: the race is a lost update
    "DG103": frozenset({"DG201", "DG202", "DG215"}),  # no ownership check: BOLA
    "DG104": frozenset({"DG203"}),  # unauthenticated write
    "DG105": frozenset({"DG204"}),  # mass assignment
    "DG106": frozenset({"DG206"}),  # client-controlled key: identifier tampering
    "DG110": frozenset({"DG202"}),  # transaction without owner condition: BOLA write
    "DG112": frozenset({"DG207"}),  # error text leaked
    "DG113": frozenset({"DG208"}),  # unvalidated identifier
    "DG114": frozenset({"DG209"}),  # unscoped scan: other users' items in a list
    "DG115": frozenset({"DG209"}),  # raw item response: internal properties shown
    "DG117": frozenset({"DG210"}),  # existence oracle
}

# A route's handler as the caller resolved it from the app: (path, line).
Handlers = Mapping[str, tuple[str, int]]

_PARAM = re.compile(r"\{[^}]*\}")


def route_key(route: str | None) -> str | None:
    """`PUT /items/{}` for `put /items/{item_id}/`: method upper-case, parameter names dropped."""
    if not route:
        return None
    method, _, path = route.strip().partition(" ")
    path = _PARAM.sub("{}", path.strip()).rstrip("/") or "/"
    return f"{method.upper()} {path}"


def join(static: Result, probe: Result, handlers: Handlers | None = None) -> Result:
    """The correlated Result of one scan and one probe run of the same service."""
    handlers = {route_key(k) or k: v for k, v in (handlers or {}).items()}
    by_route: dict[str, list[Finding]] = {}
    for p in probe.findings:
        key = route_key(p.route)
        if key is not None:
            by_route.setdefault(key, []).append(p)
    absorbed: set[str] = set()
    findings: list[Finding] = []
    for s in static.findings:
        key = route_key(s.route)
        proofs = [
            p for p in by_route.get(key or "", []) if p.rule in PAIRS.get(s.rule, frozenset())
        ]
        if proofs:
            absorbed.update(p.fingerprint for p in proofs)
            findings.append(_confirmed(s, proofs))
        else:
            findings.append(_tagged(s, "static"))
    for p in probe.findings:
        if p.fingerprint not in absorbed:
            findings.append(_probe_only(p, handlers.get(route_key(p.route) or "")))
    confirmed = sum(1 for f in findings if f.evidence.get("correlation") == "confirmed")
    stats: dict[str, JSON] = {
        "confirmed": confirmed,
        "static_only": len(static.findings) - confirmed,
        "probe_only": len(probe.findings) - len(absorbed),
        # Either half incomplete (a file or rule that failed, a probe that stopped) makes the
        # joined run incomplete; a probe that failed at its job fails the join too.
        "complete": all(r.stats.get("complete", True) is not False for r in (static, probe)),
        "run_failed": probe.stats.get("run_failed") is True,
        "static": static.stats,
        "probe": probe.stats,
    }
    return Result(
        tool_version=static.tool_version or probe.tool_version,
        engine=EngineKind.COMBINED,
        target=f"{static.target} + {probe.target}",
        findings=tuple(findings),
        errors=_labelled(static.errors, "scan") + _labelled(probe.errors, "probe"),
        warnings=_labelled(static.warnings, "scan") + _labelled(probe.warnings, "probe"),
        rules=_rules(static, probe),
        stats=stats,
    )


def engine_of(f: Finding) -> str:
    """'confirmed', 'static' or 'probe' for a joined finding; the rule's engine otherwise."""
    tag = f.evidence.get("correlation")
    if isinstance(tag, str):
        return tag
    return "static" if f.rule.startswith("DG1") else "probe"


def _confirmed(s: Finding, proofs: list[Finding]) -> Finding:
    evidence: dict[str, JSON] = dict(s.evidence)
    evidence["correlation"] = "confirmed"
    evidence["confirmed_by"] = [
        {
            "rule": p.rule,
            "name": p.name,
            "route": p.route,
            "severity": p.severity.value,
            "message": p.message,
            "evidence": p.evidence,
            "fingerprint": p.fingerprint,
        }
        for p in sorted(proofs, key=lambda p: (p.rule, p.fingerprint))
    ]
    worst = max([s.severity, *(p.severity for p in proofs)])
    rules = ", ".join(sorted({p.rule for p in proofs}))
    return replace(
        s,
        severity=worst,
        confidence=Confidence.HIGH,
        message=f"{s.message} (confirmed by {rules} on the running app)",
        evidence=evidence,
    )


def _tagged(f: Finding, tag: str) -> Finding:
    return replace(f, evidence={**f.evidence, "correlation": tag})


def _probe_only(p: Finding, handler: tuple[str, int] | None) -> Finding:
    if handler is None or p.path:
        return _tagged(p, "probe")
    path, line = handler
    evidence: dict[str, JSON] = {**p.evidence, "correlation": "probe", "handler": f"{path}:{line}"}
    return replace(p, path=path, line=line, evidence=evidence)


def _labelled(items: tuple[Diagnostic, ...], engine: str) -> tuple[Diagnostic, ...]:
    return tuple(replace(d, message=f"[{engine}] {d.message}") for d in items)


def _rules(static: Result, probe: Result) -> tuple[RuleMeta, ...]:
    seen: dict[str, RuleMeta] = {}
    for meta in (*static.rules, *probe.rules):
        seen.setdefault(meta.id, meta)
    return tuple(seen[k] for k in sorted(seen))
