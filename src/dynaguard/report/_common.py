"""Helpers the renderers share: ordering, grouping and one-line texts over a Result."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from dynaguard.core.findings import JSON, Finding, Severity
from dynaguard.core.result import Diagnostic, Result

# A source-line callback: (path, 1-based line) -> the text of that line, or None.
SourceLines = Callable[[str, int], "str | None"]

SEVERITY_STYLE: dict[Severity, str] = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


@dataclass(frozen=True, slots=True)
class Group:
    """Findings that share a file (static) or a route (probe, or no file)."""

    title: str
    is_file: bool
    findings: tuple[Finding, ...]


def ordered(findings: tuple[Finding, ...] | list[Finding]) -> list[Finding]:
    """Report order: by file, line, column, rule, route."""
    return sorted(findings, key=Finding.sort_key)


def groups(result: Result) -> list[Group]:
    """Findings grouped by file, then the path-less ones grouped by route."""
    by_file: dict[str, list[Finding]] = {}
    by_route: dict[str, list[Finding]] = {}
    for f in ordered(result.findings):
        if f.path:
            by_file.setdefault(f.path, []).append(f)
        else:
            by_route.setdefault(f.route or "(no route)", []).append(f)
    out = [Group(p, True, tuple(fs)) for p, fs in sorted(by_file.items())]
    for route, fs in sorted(by_route.items(), key=lambda kv: _route_key(kv[0])):
        worst_first = sorted(fs, key=lambda f: (-f.severity.rank, f.rule, f.fingerprint))
        out.append(Group(route, False, tuple(worst_first)))
    return out


def _route_key(route: str) -> tuple[str, str]:
    method, _, path = route.partition(" ")
    return (path, method)


def location(f: Finding) -> str:
    """`path:line:col` (as much as is known), else the route, else ''."""
    if f.path:
        parts = [f.path]
        if f.line:
            parts.append(str(f.line))
            if f.column:
                parts.append(str(f.column))
        return ":".join(parts)
    return f.route or ""


# Control characters (ANSI escapes, BEL, C1) and bidirectional overrides ("Trojan Source"):
# a probed server's responses and routes reach reports, and must not drive the terminal.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """The text with control characters shown as escapes (`\\x1b`), never interpreted."""
    return _UNSAFE.sub(lambda m: repr(m.group())[1:-1], text)


def one_line(text: str, limit: int = 300) -> str:
    """Collapse whitespace so a message or fix fits one line (ellipsis past `limit`)."""
    flat = printable(" ".join(text.split()))
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def code_line(f: Finding, source: SourceLines | None) -> str | None:
    """The stripped source line a static finding points at, when a callback gives one."""
    if source is None or not f.path or not f.line:
        return None
    text = source(f.path, f.line)
    if text is None:
        return None
    stripped = printable(text.strip().replace("\t", " "))
    if len(stripped) > 160:  # keep the code's own spacing; only cut what will not fit
        stripped = stripped[:159].rstrip() + "…"
    return stripped or None


def diagnostic_text(d: Diagnostic) -> str:
    """`path:line: message` for an error or warning."""
    where = printable(f"{d.path}:{d.line}" if d.line is not None else d.path)
    kind = "" if d.kind in ("error", "") else f"[{d.kind}] "
    return f"{where}: {kind}{one_line(d.message, 500)}"


def counts_text(result: Result) -> str:
    """'2 critical, 1 high' (only non-zero severities), or 'no findings'."""
    parts = [f"{n} {sev}" for sev, n in result.counts.items() if n]
    return ", ".join(parts) if parts else "no findings"


def plural(n: int, word: str) -> str:
    """'1 finding', '2 findings'."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def stat_int(result: Result, key: str) -> int:
    """An integer from result.stats (0 when absent or not an int)."""
    value = result.stats.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def dumps(doc: JSON) -> str:
    """Indented JSON, UTF-8 kept readable; NaN and infinities (not JSON) become null."""
    try:
        return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False)
    except ValueError:  # a non-finite float in evidence (a timing, a parsed body)
        return json.dumps(_finite(doc), indent=2, ensure_ascii=False, allow_nan=False)


def _finite(value: JSON) -> JSON:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
