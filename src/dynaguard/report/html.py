"""Self-contained HTML report: one file, inline CSS, no scripts, every value escaped."""

from __future__ import annotations

import json
from html import escape

from dynaguard.core.findings import Finding
from dynaguard.core.result import Result
from dynaguard.report._common import (
    SourceLines,
    code_line,
    diagnostic_text,
    groups,
    location,
    plural,
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
""".strip()


def render(result: Result, *, source: SourceLines | None = None) -> str:
    """The HTML document as text."""
    engine = "static scan" if result.engine.value == "static" else "probe"
    title = f"dynaguard {engine}: {result.target}"
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p><span class="grade">{escape(result.grade)}</span> score {result.score}/100 · '
        f"{plural(len(result.findings), 'finding')} · dynaguard {escape(result.tool_version)}</p>",
        _counts(result),
    ]
    for group in groups(result):
        suffix = "" if group.is_file else " <span class='muted'>(probe)</span>"
        body.append(f"<h2><code>{escape(group.title)}</code>{suffix}</h2>")
        body += [_finding(f, source) for f in group.findings]
    body += _diagnostics(result)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _counts(result: Result) -> str:
    head = "".join(f"<th>{escape(s)}</th>" for s in result.counts)
    row = "".join(f"<td>{n}</td>" for n in result.counts.values())
    notes = []
    hidden = stat_int(result, "below_min_severity")
    if hidden:
        notes.append(f"{hidden} below the minimum severity not shown")
    known = stat_int(result, "baseline_hidden")
    if known:
        notes.append(f"{known} already in the baseline")
    extra = f'<p class="muted">{escape("; ".join(notes))}.</p>' if notes else ""
    return f"<table><tr>{head}</tr><tr>{row}</tr></table>{extra}"


def _finding(f: Finding, source: SourceLines | None) -> str:
    sev = f.severity.value
    parts = [
        f'<div class="f {sev}">',
        f'<div><span class="sev">{sev}</span> <code>{escape(f.rule)}</code> '
        f"{escape(f.name)} <span class='muted'>{escape(location(f))}</span></div>",
        f"<div>{escape(f.message)}</div>",
    ]
    if f.path and f.route:
        parts.append(f"<div>route <code>{escape(f.route)}</code></div>")
    code = code_line(f, source)
    if code is not None:
        parts.append(f"<pre>{escape(code)}</pre>")
    parts.append(f"<div><b>fix:</b> {escape(f.fix)}</div>")
    meta = " · ".join(x for x in (f.owasp_api, f.cwe, f"confidence {f.confidence.value}") if x)
    parts.append(f'<div class="muted">{escape(meta)}</div>')
    if f.evidence:
        evidence = json.dumps(f.evidence, indent=2, ensure_ascii=False)
        parts.append(f"<details><summary>evidence</summary><pre>{escape(evidence)}</pre></details>")
    parts.append("</div>")
    return "\n".join(parts)


def _diagnostics(result: Result) -> list[str]:
    out: list[str] = []
    for title, items in (("Errors", result.errors), ("Warnings", result.warnings)):
        if items:
            out.append(f"<h2>{title} ({len(items)})</h2><ul>")
            out += [f"<li>{escape(diagnostic_text(d))}</li>" for d in items]
            out.append("</ul>")
    return out
