"""Findings: frozen, keyword-only records that every engine produces and every renderer reads."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum
from typing import TypeAlias

# Evidence is plain JSON so that the JSON and SARIF renderers never need to know the engine.
JSON: TypeAlias = "str | int | float | bool | list[JSON] | dict[str, JSON] | None"


class Severity(Enum):
    """Ordered severities; comparison follows the order below."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for info up to 4 for critical."""
        return _SEVERITY_ORDER.index(self)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Parse a severity name case-insensitively; ValueError lists the choices."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(s.value for s in _SEVERITY_ORDER)
            raise ValueError(f"unknown severity {text!r} (choose from {choices})") from None


_SEVERITY_ORDER = (Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)


class Confidence(Enum):
    """How sure the engine is that the finding is real."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class EngineKind(Enum):
    """Which engine produced a result."""

    STATIC = "static"
    PROBE = "probe"
    COMBINED = "combined"  # `dynaguard check` / `report`: both joined by route and class


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One finding. Static findings carry path/line; every finding names its route when known."""

    rule: str
    name: str
    severity: Severity
    confidence: Confidence
    title: str
    message: str
    fix: str
    fingerprint: str
    owasp_api: str | None = None
    cwe: str | None = None
    path: str | None = None
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    route: str | None = None
    evidence: dict[str, JSON] = field(default_factory=dict)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Stable order for reports: by file, line, column, rule, route."""
        return (self.path or "", self.line or 0, self.column or 0, self.rule, self.route or "")

    def to_json(self) -> dict[str, JSON]:
        """The finding as in the JSON contract (schema 1)."""
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity.value,
            "confidence": self.confidence.value,
            "title": self.title,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "route": self.route,
            "owasp_api": self.owasp_api,
            "cwe": self.cwe,
            "fix": self.fix,
            "evidence": self.evidence,
            "fingerprint": self.fingerprint,
        }


def fingerprint(rule: str, *parts: str | None) -> str:
    """A stable fingerprint: the rule plus anchors that do not move with unrelated edits.

    Callers pass the path, route and a normalised anchor (e.g. the enclosing function's
    qualified name and the DynamoDB operation), never line numbers, so baselines survive
    code that moves.
    """
    text = "\x1f".join([rule, *(p or "" for p in parts)])
    # surrogatepass: a file name that is not UTF-8 (decoded by the OS with surrogateescape)
    # holds lone surrogates; it still gets a stable fingerprint instead of an exception.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def unique_fingerprints(findings: list[Finding]) -> list[Finding]:
    """Suffix repeated fingerprints with their occurrence (#2, #3...) in report order.

    Two sites with the same anchor in one function (two identical calls) would otherwise
    share a fingerprint, and a baseline would hide the second.
    """
    from dataclasses import replace

    seen: dict[str, int] = {}
    out: list[Finding] = []
    for f in sorted(findings, key=Finding.sort_key):
        n = seen.get(f.fingerprint, 0) + 1
        seen[f.fingerprint] = n
        out.append(f if n == 1 else replace(f, fingerprint=f"{f.fingerprint}#{n}"))
    return out
