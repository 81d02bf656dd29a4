"""Markdown report for pull-request comments and CI job summaries ($GITHUB_STEP_SUMMARY)."""

from __future__ import annotations

import re

from dynaguard.core.findings import Finding
from dynaguard.core.result import Result
from dynaguard.report._common import (
    SourceLines,
    code_line,
    diagnostic_text,
    groups,
    location,
    one_line,
    plural,
    stat_int,
)

# Enough to keep text literal mid-line: no emphasis, code, links, HTML or table cells.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_ICON = {"critical": "🟥", "high": "🟧", "medium": "🟨", "low": "🟦", "info": "⬜"}


def escape(text: str) -> str:
    """Text shown literally in Markdown (tables included): specials backslash-escaped."""
    return _SPECIAL.sub(r"\\\1", one_line(text, 1000))


def render(result: Result, *, source: SourceLines | None = None) -> str:
    """The Markdown report: a summary table, the findings by file or route, the errors."""
    engine = {"static": "static scan", "probe": "probe", "combined": "check"}[result.engine.value]
    out = [
        f"# dynaguard {engine}: grade {result.grade} ({result.score}/100)",
        "",
        f"Target: {_code(result.target)} · {plural(len(result.findings), 'finding')}"
        f" · dynaguard {escape(result.tool_version)}",
        "",
        "| " + " | ".join(result.counts) + " |",
        "|" + "---:|" * len(result.counts),
        "| " + " | ".join(str(n) for n in result.counts.values()) + " |",
        "",
    ]
    notes = _notes(result)
    if notes:
        out += [notes, ""]
    for group in groups(result):
        heading = _code(group.title) if group.is_file else f"{_code(group.title)} (probe)"
        out += [f"## {heading}", ""]
        for f in group.findings:
            out += _finding(f, source)
    out += _diagnostics(result)
    return "\n".join(out).rstrip("\n") + "\n"


def _finding(f: Finding, source: SourceLines | None) -> list[str]:
    icon = _ICON.get(f.severity.value, "")
    where = f" at {_code(location(f))}" if f.path else ""
    lines = [
        f"- {icon} **{f.severity.value}** `{f.rule}` {escape(f.name)}{where}: {escape(f.message)}",
    ]
    if f.path and f.route:
        lines.append(f"  - route: {_code(f.route)}")
    code = code_line(f, source)
    if code is not None:
        lines.append(f"  - code: {_code(code)}")
    lines.append(f"  - fix: {escape(f.fix)}")
    return [*lines, ""]


def _notes(result: Result) -> str:
    parts = []
    hidden = stat_int(result, "below_min_severity")
    if hidden:
        parts.append(f"{hidden} below the minimum severity not shown")
    known = stat_int(result, "baseline_hidden")
    if known:
        parts.append(f"{known} already in the baseline")
    return "_" + "; ".join(parts) + "._" if parts else ""


def _diagnostics(result: Result) -> list[str]:
    out: list[str] = []
    for title, items in (("Errors", result.errors), ("Warnings", result.warnings)):
        if items:
            out += [f"## {title} ({len(items)})", ""]
            out += [f"- {escape(diagnostic_text(d))}" for d in items]
            out.append("")
    return out


def _code(text: str) -> str:
    """Inline code that survives backticks in the text (CommonMark: a longer fence)."""
    flat = one_line(text, 1000).replace("|", "\\|")
    fence = "`" * (max((len(m) for m in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"
