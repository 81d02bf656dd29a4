"""The immutable result of one run of an engine, with its score and grade."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from dynaguard.core.findings import JSON, EngineKind, Finding, Severity
from dynaguard.core.registry import RuleMeta

SCHEMA = 1

# Points a finding costs, by severity. Documented in README.md ("Score and grade").
WEIGHTS: dict[Severity, int] = {
    Severity.CRITICAL: 25,
    Severity.HIGH: 10,
    Severity.MEDIUM: 4,
    Severity.LOW: 1,
    Severity.INFO: 0,
}
GRADES = ((90, "A"), (80, "B"), (70, "C"), (60, "D"))
# Diagnostic.kind of something that was not analysed: the run is incomplete
ANALYSIS_ERROR = "analysis-error"


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    """Something the engine could not read or understand; the run went on."""

    path: str
    message: str
    line: int | None = None
    kind: str = "error"

    def to_json(self) -> dict[str, JSON]:
        """As in the JSON contract's `errors` list."""
        out: dict[str, JSON] = {"path": self.path, "message": self.message}
        if self.line is not None:
            out["line"] = self.line
        if self.kind != "error":
            out["kind"] = self.kind
        return out


def score_for(findings: tuple[Finding, ...] | list[Finding]) -> int:
    """100 minus the weighted findings, floored at 0."""
    return max(0, 100 - sum(WEIGHTS[f.severity] for f in findings))


def grade_for(score: int, findings: tuple[Finding, ...] | list[Finding]) -> str:
    """A..F from the score; any critical finding caps the grade at D, any high at C."""
    grade = next((g for floor, g in GRADES if score >= floor), "F")
    worst = max((f.severity for f in findings), default=Severity.INFO)
    cap = {Severity.CRITICAL: "D", Severity.HIGH: "C"}.get(worst, "A")
    return max(grade, cap)  # letters: later is worse


@dataclass(frozen=True, slots=True, kw_only=True)
class Result:
    """What one engine found in one target. Renderers read only this."""

    tool_version: str
    engine: EngineKind
    target: str
    findings: tuple[Finding, ...]
    errors: tuple[Diagnostic, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    rules: tuple[RuleMeta, ...] = ()
    stats: dict[str, JSON] = field(default_factory=dict)

    @property
    def score(self) -> int:
        """0-100; see WEIGHTS."""
        return score_for(self.findings)

    @property
    def grade(self) -> str:
        """A-F; see grade_for. A run marked incomplete is never graded above C."""
        grade = grade_for(self.score, self.findings)
        return max(grade, "C") if self.stats.get("complete") is False else grade

    @property
    def counts(self) -> dict[str, int]:
        """Findings per severity, every severity present (highest first)."""
        c = Counter(f.severity for f in self.findings)
        return {s.value: c.get(s, 0) for s in sorted(Severity, reverse=True)}

    def worst(self) -> Severity | None:
        """The highest severity found, or None."""
        return max((f.severity for f in self.findings), default=None)

    def fails(self, threshold: Severity) -> bool:
        """True when a finding is at or above the threshold (exit code 1)."""
        return any(f.severity >= threshold for f in self.findings)

    def to_json(self) -> dict[str, JSON]:
        """The versioned JSON contract (schema 1)."""
        out: dict[str, JSON] = {
            "tool": "dynaguard",
            "version": self.tool_version,
            "schema": SCHEMA,
            "engine": self.engine.value,
            "target": self.target,
            "score": self.score,
            "grade": self.grade,
            "counts": dict(self.counts),
            "findings": [f.to_json() for f in sorted(self.findings, key=Finding.sort_key)],
            "errors": [e.to_json() for e in self.errors],
        }
        if self.warnings:
            out["warnings"] = [w.to_json() for w in self.warnings]
        if self.stats:
            out["stats"] = self.stats
        return out
