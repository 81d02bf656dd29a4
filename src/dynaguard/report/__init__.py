"""Pure renderers: a Result in, a string out (text, json, sarif, markdown, html, junit, gitlab).

from dynaguard.report import render
print(render(result, "sarif"))
"""

from __future__ import annotations

from dynaguard.core.result import Result
from dynaguard.report._common import SourceLines

FORMATS = ("text", "json", "sarif", "markdown", "html", "junit", "gitlab")

__all__ = ["FORMATS", "SourceLines", "render"]


def render(
    result: Result,
    fmt: str = "text",
    *,
    source: SourceLines | None = None,
    color: bool = False,
    summary: bool = True,
    help_base: str | None = None,
    src_root: str | None = None,
) -> str:
    """Render a result in one of FORMATS; ValueError for an unknown format.

    `source` gives code lines to text/markdown/html, `color` and `summary` apply to text,
    `help_base` is the URL of the rule pages for SARIF's helpUri, `src_root` the absolute URI
    of the directory finding paths are relative to (SARIF's originalUriBaseIds).
    """
    if fmt == "text":
        from dynaguard.report import text

        return text.render(result, source=source, color=color, summary=summary)
    if fmt == "json":
        from dynaguard.report import json

        return json.render(result)
    if fmt == "sarif":
        from dynaguard.report import sarif

        return sarif.render(result, help_base=help_base, src_root=src_root)
    if fmt == "markdown":
        from dynaguard.report import markdown

        return markdown.render(result, source=source)
    if fmt == "html":
        from dynaguard.report import html

        return html.render(result, source=source)
    if fmt == "junit":
        from dynaguard.report import junit

        return junit.render(result)
    if fmt == "gitlab":
        from dynaguard.report import gitlab

        return gitlab.render(result)
    raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
