"""Plain-text report for terminals and logs: grouped by file (or route), then a summary.

The renderer is pure: it gets the source lines through a callback and returns a string.
With `color=True` the string carries ANSI styles (rendered by rich); the CLI decides
colour from the stream (a terminal, NO_COLOR unset, no --no-color).
"""

from __future__ import annotations

from dynaguard.core.findings import Finding
from dynaguard.core.result import Result
from dynaguard.report._common import (
    SEVERITY_STYLE,
    SourceLines,
    code_line,
    counts_text,
    diagnostic_text,
    groups,
    one_line,
    plural,
    printable,
    stat_int,
)

# A line is a list of (text, rich style) segments; style "" means unstyled.
Segment = tuple[str, str]
Line = list[Segment]


def render(
    result: Result, *, source: SourceLines | None = None, color: bool = False, summary: bool = True
) -> str:
    """The text report; `summary=False` (--quiet) prints findings only."""
    lines: list[Line] = []
    for group in groups(result):
        title = group.title if group.is_file else f"{group.title}  (probe)"
        lines.append([(title, "bold underline")])
        for f in group.findings:
            lines.extend(_finding(f, source, in_file=group.is_file))
        lines.append([])
    if summary:
        lines.extend(_diagnostics(result))
        lines.append(_summary(result))
    return _join(lines, color)


def _finding(f: Finding, source: SourceLines | None, *, in_file: bool) -> list[Line]:
    head: Line = []
    if in_file:
        pos = f"{f.line or '?'}:{f.column}" if f.column else f"{f.line or '?'}"
        head.append((f"  {pos:<8}", "dim"))
    else:
        head.append(("  ", ""))
    head += [
        (f"{f.severity.value:<8}", SEVERITY_STYLE[f.severity]),
        (f" {f.rule} ", "bold"),
        (f.name, "magenta"),
    ]
    if in_file and f.route:
        head.append((f"  {f.route}", "blue"))
    out: list[Line] = [head, [("      ", ""), (one_line(f.message), "")]]
    code = code_line(f, source)
    if code is not None:
        out.append([("      │ ", "dim"), (code, "cyan")])
    out.append([("      fix: ", "green"), (one_line(f.fix, 200), "")])
    return out


def _diagnostics(result: Result) -> list[Line]:
    out: list[Line] = []
    for title, items, style in (
        ("errors", result.errors, "bold red"),
        ("warnings", result.warnings, "yellow"),
    ):
        if items:
            out.append([(f"{title.capitalize()} ({len(items)}):", style)])
            out.extend([("  " + diagnostic_text(d), "")] for d in items)
            out.append([])
    return out


def _summary(result: Result) -> Line:
    n = len(result.findings)
    line: Line = [
        (plural(n, "finding") if n else "No findings", "bold"),
        (f" ({counts_text(result)})" if n else "", ""),
        ("  score ", ""),
        (f"{result.score}/100", "bold"),
        ("  grade ", ""),
        (result.grade, _grade_style(result.grade)),
    ]
    extra = []
    if result.errors:
        extra.append(plural(len(result.errors), "error"))
    hidden = stat_int(result, "below_min_severity")
    if hidden:
        extra.append(f"{hidden} below --min-severity not shown")
    known = stat_int(result, "baseline_hidden")
    if known:
        extra.append(f"{known} in baseline")
    if extra:
        line.append(("  (" + "; ".join(extra) + ")", "dim"))
    return line


def _grade_style(grade: str) -> str:
    return {"A": "bold green", "B": "green", "C": "yellow", "D": "red"}.get(grade, "bold red")


def _join(lines: list[Line], color: bool) -> str:
    # Paths, routes and names can come from a probed server: no segment may carry controls.
    lines = [[(printable(t), style) for t, style in line] for line in lines]
    if not color:
        return "".join("".join(t for t, _ in line).rstrip() + "\n" for line in lines)
    from io import StringIO

    from rich.console import Console
    from rich.text import Text

    buf = StringIO()
    # force_terminal: the caller already decided colour; a huge width so rich never wraps.
    console = Console(
        file=buf, force_terminal=True, color_system="standard", width=100_000, no_color=False
    )
    for line in lines:
        console.print(Text.assemble(*line), soft_wrap=True, highlight=False, markup=False)
    return buf.getvalue()
