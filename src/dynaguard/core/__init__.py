"""The findings model every engine and renderer shares (standard library only)."""

from __future__ import annotations

from dynaguard.core.findings import (
    JSON,
    Confidence,
    EngineKind,
    Finding,
    Severity,
    fingerprint,
)
from dynaguard.core.registry import RuleMeta, all_rules, get_rule, register
from dynaguard.core.result import Diagnostic, Result, grade_for, score_for

__all__ = [
    "JSON",
    "Confidence",
    "Diagnostic",
    "EngineKind",
    "Finding",
    "Result",
    "RuleMeta",
    "Severity",
    "all_rules",
    "fingerprint",
    "get_rule",
    "grade_for",
    "register",
    "score_for",
]
