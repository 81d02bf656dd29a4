"""Self-contained HTML report: one file, inline CSS, no scripts, every value escaped.

Filters (severity, rule, engine) are checkboxes that hide findings through CSS sibling
selectors, so the page needs no JavaScript and a Content-Security-Policy that forbids
scripts costs it nothing. Everything a target controls (routes, messages, response
bodies, file names, rule ids read back from a JSON report) is escaped for HTML, and
only sanitised tokens ever reach a class name or the style sheet.
"""

from __future__ import annotations

import hashlib
import json
import re
from html import escape as _escape

from dynaguard.core.correlate import engine_of
from dynaguard.core.findings import JSON, Finding, Severity
from dynaguard.core.result import Result
from dynaguard.report._common import (
    SourceLines,
    diagnostic_text,
    groups,
    location,
    plural,
    printable,
    stat_int,
)

_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:70rem;color:#1f2328;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:right}
.grade{font-size:2rem;font-weight:700}.f{margin:.8rem 0;padding:.5rem .8rem;border-left:4px solid}
.critical{border-color:#82071e}.high{border-color:#cf222e}.medium{border-color:#bf8700}
.low{border-color:#0969da}.info{border-color:#8c959f}.sev{font-weight:700;text-transform:uppercase}
code,pre{font-family:ui-monospace,monospace;background:#f6f8fa;padding:.1rem .3rem}
pre{padding:.5rem;overflow-x:auto;white-space:pre-wrap}.muted{color:#656d76}
.filters{margin:1rem 0;padding:.5rem;border:1px solid #d0d7de}.filters b{margin:0 .4rem 0 .8rem}
.tag{font-size:.8rem;padding:0 .4rem;border-radius:1rem;background:#ddf4ff}
.tag.confirmed{background:#ffebe9;font-weight:700}.hit{background:#fff8c5}
""".strip()

ENGINES = ("confirmed", "static", "probe")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def render(result: Result, *, source: SourceLines | None = None) -> str:
    """The HTML document as text."""
    kind = {"static": "static scan", "probe": "probe", "combined": "check"}[result.engine.value]
    title = f"dynaguard {kind}: {result.target}"
    found = result.findings
    body = [
        f"<h1>{esc(title)}</h1>",
        f'<p><span class="grade">{esc(result.grade)}</span> score {result.score}/100 · '
        f"{plural(len(found), 'finding')} · dynaguard {esc(result.tool_version)}</p>",
        _counts(result),
    ]
    if found:
        body.append('<div class="report">')
        body += _filters(found)
        body.append('<div class="findings">')
        for group in groups(result):
            suffix = "" if group.is_file else " <span class='muted'>(probe)</span>"
            body.append(f"<h2><code>{esc(group.title)}</code>{suffix}</h2>")
            body += [_finding(f, source) for f in group.findings]
        body.append("</div>\n</div>")
    body += _diagnostics(result)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">\n"
        f"<title>{esc(title)}</title>\n<style>\n{_CSS}\n{_filter_css(found)}</style>\n"
        "</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def esc(text: str) -> str:
    """Text safe inside HTML content and quoted attributes; control characters shown."""
    return _escape(printable(text), quote=True)


def token(text: str) -> str:
    """A class-name-safe token for a value (rule ids are, a hostile report's may not be)."""
    if _TOKEN.match(text):
        return text
    return "x" + hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:12]


def _present(found: tuple[Finding, ...]) -> tuple[list[str], list[str], list[str]]:
    sevs = [s.value for s in sorted(Severity, reverse=True) if any(f.severity is s for f in found)]
    engines = [e for e in ENGINES if any(engine_of(f) == e for f in found)]
    rules = sorted({f.rule for f in found})
    return sevs, engines, rules


def _filters(found: tuple[Finding, ...]) -> list[str]:
    """Hidden checkboxes (siblings of .findings, for the CSS), then their labels."""
    sevs, engines, rules = _present(found)
    inputs: list[str] = []
    bar = ['<div class="filters">show']
    for label, prefix, values in (
        ("severity", "s", sevs),
        ("engine", "e", engines),
        ("rule", "r", rules),
    ):
        bar.append(f"<b>{label}</b>")
        for v in values:
            ident = f"{prefix}-{token(v)}"
            inputs.append(f'<input type="checkbox" id="{ident}" checked>')
            bar.append(f'<label for="{ident}">{esc(v)}</label>')
    bar.append("</div>")
    return [*inputs, " ".join(bar)]  # spaces: the bar wraps


def _filter_css(found: tuple[Finding, ...]) -> str:
    if not found:
        return ""
    sevs, engines, rules = _present(found)
    css = [
        f"#{p}-{token(v)}:not(:checked)~.findings .{p}-{token(v)}{{display:none}}"
        for p, values in (("s", sevs), ("e", engines), ("r", rules))
        for v in values
    ]
    css += [
        f"#{p}-{token(v)}:not(:checked)~.filters label[for={p}-{token(v)}]"
        "{text-decoration:line-through;color:#656d76}"
        for p, values in (("s", sevs), ("e", engines), ("r", rules))
        for v in values
    ]
    css.append(".report>input{position:absolute;opacity:0}")
    css.append(".filters label{cursor:pointer;margin:0 .3rem;text-decoration:underline}")
    return "\n".join(css) + "\n"


def _counts(result: Result) -> str:
    head = "".join(f"<th>{esc(s)}</th>" for s in result.counts)
    row = "".join(f"<td>{n}</td>" for n in result.counts.values())
    notes = []
    if result.engine.value == "combined":
        notes.append(
            f"{stat_int(result, 'confirmed')} confirmed by the prober, "
            f"{stat_int(result, 'static_only')} static only, "
            f"{stat_int(result, 'probe_only')} found only by the prober"
        )
    hidden = stat_int(result, "below_min_severity")
    if hidden:
        notes.append(f"{hidden} below the minimum severity not shown")
    known = stat_int(result, "baseline_hidden")
    if known:
        notes.append(f"{known} already in the baseline")
    extra = f'<p class="muted">{esc("; ".join(notes))}.</p>' if notes else ""
    return f"<table><tr>{head}</tr><tr>{row}</tr></table>{extra}"


def _finding(f: Finding, source: SourceLines | None) -> str:
    sev = f.severity.value
    engine = engine_of(f)
    classes = f"f {sev} s-{sev} e-{engine} r-{token(f.rule)}"
    parts = [
        f'<div class="{classes}">',
        f'<div><span class="sev">{sev}</span> <code>{esc(f.rule)}</code> {esc(f.name)} '
        f'<span class="tag {engine}">{engine}</span> '
        f"<span class='muted'>{esc(location(f))}</span></div>",
        f"<div>{esc(f.message)}</div>",
    ]
    if f.path and f.route:
        parts.append(f"<div>route <code>{esc(f.route)}</code></div>")
    parts += _excerpt(f, source)
    parts.append(f"<div><b>fix:</b> {esc(f.fix)}</div>")
    meta = " · ".join(x for x in (f.owasp_api, f.cwe, f"confidence {f.confidence.value}") if x)
    parts.append(f'<div class="muted">{esc(meta)}</div>')
    parts += _exchanges(f)
    if f.evidence:
        evidence = json.dumps(f.evidence, indent=2, ensure_ascii=False)
        parts.append(f"<details><summary>evidence</summary><pre>{esc(evidence)}</pre></details>")
    parts.append("</div>")
    return "\n".join(parts)


def _excerpt(f: Finding, source: SourceLines | None, around: int = 2) -> list[str]:
    """The finding's lines and `around` lines either side, numbered, the finding's marked."""
    if source is None or not f.path or not f.line:
        return []
    last = max(f.line, f.end_line or f.line)
    last = min(last, f.line + 12)  # a long statement: its head is enough
    rows = []
    for n in range(max(1, f.line - around), last + around + 1):
        text = source(f.path, n)
        if text is None:
            continue
        mark = ' class="hit"' if f.line <= n <= last else ""
        rows.append(f"<span{mark}>{n:>5}  {esc(text.rstrip())}</span>")
    return [f"<pre>{chr(10).join(rows)}</pre>"] if rows else []


def _exchanges(f: Finding) -> list[str]:
    """The requests that prove a finding (its own, or those of the probes that confirmed it)."""
    proofs: list[tuple[str, JSON]] = [(f.rule, f.evidence.get("exchanges"))]
    confirmed_by = f.evidence.get("confirmed_by")
    if isinstance(confirmed_by, list):
        for item in confirmed_by:
            if isinstance(item, dict) and isinstance(item.get("evidence"), dict):
                ev = item["evidence"]
                assert isinstance(ev, dict)
                proofs.append((str(item.get("rule", "")), ev.get("exchanges")))
    out: list[str] = []
    for rule, exchanges in proofs:
        if not isinstance(exchanges, list) or not exchanges:
            continue
        lines = []
        for ex in exchanges:
            if not isinstance(ex, dict):
                continue
            response = ex.get("response")
            status = response.get("status") if isinstance(response, dict) else None
            body = response.get("body") if isinstance(response, dict) else None
            lines.append(f"$ {ex.get('curl', '')}\n→ HTTP {status}  {str(body or '')[:300]}")
        text = esc("\n".join(lines))
        summary = f"<summary>{esc(rule)}: the requests that prove it</summary>"
        out.append(f"<details open>{summary}<pre>{text}</pre></details>")
    return out


def _diagnostics(result: Result) -> list[str]:
    out: list[str] = []
    for title, items in (("Errors", result.errors), ("Warnings", result.warnings)):
        if items:
            out.append(f"<h2>{title} ({len(items)})</h2><ul>")
            out += [f"<li>{esc(diagnostic_text(d))}</li>" for d in items]
            out.append("</ul>")
    return out
