"""The rule registry: one decorator declares a rule; its module docstring is its page.

The registry is the single source for `dynaguard rules`, `dynaguard explain`, the docs
pages and the SARIF rule metadata. Static rules (DG1xx) and dynamic probes (DG2xx)
register here alike; each engine keeps the callable it gets back.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from dynaguard.core.findings import JSON, Confidence, EngineKind, Finding, Severity, fingerprint
from dynaguard.core.taxonomy import check_cwe, check_owasp

RULE_ID = re.compile(r"^DG[12]\d{2}$")
NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
# ruff's documentation template; every rule page has these headings, in this order.
SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "References")

F = TypeVar("F", bound=Callable[..., object])


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleMeta:
    """Everything known about a rule or probe except its check."""

    id: str
    name: str
    title: str
    severity: Severity
    confidence: Confidence
    owasp_api: str | None
    cwe: str
    fix: str
    doc: str
    module: str

    @property
    def engine(self) -> EngineKind:
        """DG1xx are static rules, DG2xx dynamic probes."""
        return EngineKind.STATIC if self.id.startswith("DG1") else EngineKind.PROBE

    def section(self, heading: str) -> str:
        """The text under one of the page's headings ('' when absent)."""
        return sections(self.doc).get(heading, "")

    @property
    def why(self) -> str:
        """The 'Why is this bad?' paragraph."""
        return self.section("Why is this bad?")

    def finding(
        self,
        *,
        message: str,
        anchor: str,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        end_line: int | None = None,
        route: str | None = None,
        evidence: dict[str, JSON] | None = None,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
    ) -> Finding:
        """A finding of this rule; `anchor` is a line-free string that identifies the site."""
        return Finding(
            rule=self.id,
            name=self.name,
            severity=severity or self.severity,
            confidence=confidence or self.confidence,
            title=self.title,
            message=message,
            fix=self.fix,
            owasp_api=self.owasp_api,
            cwe=self.cwe,
            path=path,
            line=line,
            column=column,
            end_line=end_line,
            route=route,
            evidence=evidence or {},
            fingerprint=fingerprint(self.id, path, route, anchor),
        )


@dataclass(frozen=True, slots=True)
class Registered:
    """A rule's metadata and the callable its engine runs."""

    meta: RuleMeta
    check: Callable[..., object]


_REGISTRY: dict[str, Registered] = {}


def register(
    *,
    id: str,
    name: str,
    title: str,
    severity: Severity,
    confidence: Confidence,
    cwe: str,
    fix: str,
    owasp_api: str | None = None,
) -> Callable[[F], F]:
    """Declare a rule; the decorated function is its check. Duplicate ids fail at import."""

    def decorate(check: F) -> F:
        module = sys.modules.get(check.__module__)
        doc = (module.__doc__ if module else None) or ""
        meta = RuleMeta(
            id=id,
            name=name,
            title=title,
            severity=severity,
            confidence=confidence,
            owasp_api=owasp_api,
            cwe=cwe,
            fix=fix,
            doc=doc.strip(),
            module=check.__module__,
        )
        problems = validate(meta)
        if problems:
            raise ValueError(f"rule {id}: " + "; ".join(problems))
        _check_unique(meta)
        _REGISTRY[id] = Registered(meta, check)
        return check

    return decorate


def _check_unique(meta: RuleMeta) -> None:
    """Refuse an id another module registered, or a name another rule of the engine has."""
    existing = _REGISTRY.get(meta.id)
    if existing is not None and existing.meta.module != meta.module:
        raise ValueError(f"duplicate rule id {meta.id} in {meta.module} and {existing.meta.module}")
    # docs/ARCHITECTURE.md gives a static rule and its dynamic twin one name (DG105 and DG204 are
    # both mass-assignment), so names are unique per engine, ids across both.
    twin = next(
        (
            r
            for r in _REGISTRY.values()
            if r.meta.name == meta.name and r.meta.id != meta.id and r.meta.engine is meta.engine
        ),
        None,
    )
    if twin is not None:
        raise ValueError(f"duplicate rule name {meta.name} ({meta.id} and {twin.meta.id})")


def validate(meta: RuleMeta) -> list[str]:
    """What is wrong with a rule's metadata (empty when nothing)."""
    problems: list[str] = []
    if not RULE_ID.match(meta.id):
        problems.append(f"id {meta.id!r} is not DG1nn/DG2nn")
    if not NAME.match(meta.name):
        problems.append(f"name {meta.name!r} is not kebab-case")
    problems += check_cwe(meta.cwe)
    if meta.owasp_api is not None:
        problems += check_owasp(meta.owasp_api)
    missing = [h for h in SECTIONS if h not in sections(meta.doc)]
    if missing:
        problems.append("docstring lacks sections: " + ", ".join(missing))
    if not meta.fix.strip():
        problems.append("fix is empty")
    return problems


def sections(doc: str) -> dict[str, str]:
    """Split a rule page into its '## Heading' sections."""
    out: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    for raw in doc.splitlines():
        if raw.startswith("## "):
            if current is not None:
                out[current] = "\n".join(lines).strip()
            current, lines = raw[3:].strip(), []
        elif current is not None:
            lines.append(raw)
    if current is not None:
        out[current] = "\n".join(lines).strip()
    return out


def all_rules(engine: EngineKind | None = None) -> list[Registered]:
    """Registered rules in id order, optionally of one engine."""
    rules = sorted(_REGISTRY.values(), key=lambda r: r.meta.id)
    return [r for r in rules if engine is None or r.meta.engine is engine]


def get_rule(rule_id: str) -> Registered | None:
    """The rule with this id (case-insensitive), or None."""
    return _REGISTRY.get(rule_id.upper())
