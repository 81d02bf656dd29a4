"""`dynaguard explain DG103`: print a rule's page (rich Markdown on a terminal, plain otherwise)."""

from __future__ import annotations

import argparse
import os
import sys

from dynaguard.cli.common import EXIT_OK, emit
from dynaguard.core.registry import RuleMeta
from dynaguard.core.taxonomy import OWASP_API_2023


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of `dynaguard explain`."""
    parser.add_argument("rule", metavar="RULE", help="a rule id (DG103) or name")
    parser.add_argument("--no-color", action="store_true", help="plain text even on a terminal")


def run(args: argparse.Namespace) -> int:
    """Print the page of one rule; unknown ids exit 2 with the closest ones suggested."""
    from dynaguard.cli.rules import load_registry, resolve

    load_registry()
    meta = resolve(str(args.rule))
    text = page(meta)
    if sys.stdout.isatty() and not args.no_color and not os.environ.get("NO_COLOR"):
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(text))
    else:
        emit(text)
    return EXIT_OK


def page(meta: RuleMeta) -> str:
    """The Markdown shown by explain: a heading, the metadata, the fix, the rule's page."""
    owasp = "—"
    if meta.owasp_api:
        owasp = f"{meta.owasp_api} {OWASP_API_2023.get(meta.owasp_api, '')}".strip()
    kind = "static rule" if meta.engine.value == "static" else "dynamic probe"
    head = [
        f"# {meta.id} {meta.name}: {meta.title}",
        "",
        f"- kind: {kind}",
        f"- severity: {meta.severity.value} (confidence {meta.confidence.value})",
        f"- OWASP API Security Top 10: {owasp}",
        f"- CWE: {meta.cwe or '—'}",
        f"- fix: {meta.fix.strip()}",
        "",
    ]
    return "\n".join(head) + "\n" + meta.doc.strip() + "\n"
