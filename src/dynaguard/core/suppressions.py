"""Inline suppressions: `# dynaguard: ignore[DG101] reason` on any line of the statement."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

from dynaguard.core.findings import Finding
from dynaguard.core.result import Diagnostic

_MARK = "dynaguard:"
_COMMENT = re.compile(r"#\s*dynaguard:\s*ignore(?:\[(?P<ids>[^\]]*)\])?\s*(?P<reason>.*)$")
_ID = re.compile(r"^DG\d{3}$")


@dataclass(frozen=True, slots=True)
class Suppression:
    """One `ignore[...]` comment: its line, the rules it names and the reason given."""

    line: int
    rules: frozenset[str]
    reason: str


def parse(source: str, path: str) -> tuple[list[Suppression], list[Diagnostic]]:
    """Suppression comments in a module (real comments only, not strings)."""
    if _MARK not in source:  # the common case costs one substring search
        return [], []
    found: list[Suppression] = []
    problems: list[Diagnostic] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return [], []
    for tok in tokens:
        if tok.type != tokenize.COMMENT or _MARK not in tok.string:
            continue
        m = _COMMENT.search(tok.string)
        if m is None:
            continue
        line = tok.start[0]
        ids = [p.strip().upper() for p in (m.group("ids") or "").split(",") if p.strip()]
        bad = [i for i in ids if not _ID.match(i)]
        if not ids or bad:
            what = f"unknown rule id(s) {', '.join(bad)}" if bad else "no rule named"
            problems.append(
                Diagnostic(
                    path=path,
                    line=line,
                    kind="suppression",
                    message=f"suppression ignored: {what}; write `# dynaguard: ignore[DG101] why`",
                )
            )
            continue
        found.append(Suppression(line, frozenset(ids), m.group("reason").strip()))
    return found, problems


def apply(
    findings: list[Finding], suppressions: list[Suppression], path: str
) -> tuple[list[Finding], int, list[Diagnostic]]:
    """Drop suppressed findings; return the kept ones, how many were dropped, and unused marks."""
    used: set[tuple[int, str]] = set()
    kept: list[Finding] = []
    for f in findings:
        first = f.line or 0
        last = max(f.end_line or first, first)
        hit = next((s for s in suppressions if first <= s.line <= last and f.rule in s.rules), None)
        if hit is None:
            kept.append(f)
        else:
            used.add((hit.line, f.rule))
    unused = [
        Diagnostic(
            path=path,
            line=s.line,
            kind="unused-suppression",
            message=f"unused suppression for {rule}: no {rule} finding on this statement",
        )
        for s in suppressions
        for rule in sorted(s.rules)
        if (s.line, rule) not in used
    ]
    return kept, len(findings) - len(kept), unused
