"""Rule pages for docs/rules/, generated from the registry so they cannot drift.

Regenerate with `dynaguard rules --write-docs docs/rules`; tests/report/test_docs.py
fails when the committed pages differ from what the registry produces.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from dynaguard.core.findings import EngineKind
from dynaguard.core.registry import RuleMeta
from dynaguard.core.taxonomy import OWASP_API_2023, cwe_url

GENERATED = "<!-- Generated from the rule registry by `dynaguard rules --write-docs docs/rules`. Do not edit. -->"  # noqa: E501
INDEX = "README.md"


def page(meta: RuleMeta) -> str:
    """One rule's page: metadata table, the fix, then the module docstring."""
    kind = "static rule" if meta.engine is EngineKind.STATIC else "dynamic probe"
    owasp = (
        f"{meta.owasp_api} {OWASP_API_2023.get(meta.owasp_api, '')}".strip()
        if meta.owasp_api
        else "—"
    )
    cwe = f"[{meta.cwe}]({cwe_url(meta.cwe)})" if meta.cwe else "—"
    lines = [
        GENERATED,
        "",
        f"# {meta.id} {meta.name}",
        "",
        f"**{meta.title}**",
        "",
        "| | |",
        "|---|---|",
        f"| Kind | {kind} |",
        f"| Severity | {meta.severity.value} |",
        f"| Confidence | {meta.confidence.value} |",
        f"| OWASP API Security Top 10 | {owasp} |",
        f"| CWE | {cwe} |",
        "",
        f"**Fix:** {meta.fix.strip()}",
        "",
        _demote(meta.doc),
    ]
    return "\n".join(lines).rstrip() + "\n"


def _demote(doc: str) -> str:
    """The docstring minus a leading '# title' line (the page has its own)."""
    lines = doc.strip().splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join(lines).strip()


def index(metas: Iterable[RuleMeta]) -> str:
    """docs/rules/README.md: one table of every rule and probe."""
    lines = [
        GENERATED,
        "",
        "# dynaguard rules",
        "",
        "Static rules (`DG1xx`, `dynaguard scan`) and dynamic probes (`DG2xx`, `dynaguard probe`).",
        "",
        "| id | name | severity | OWASP API | CWE | title |",
        "|---|---|---|---|---|---|",
    ]
    for m in sorted(metas, key=lambda m: m.id):
        title = m.title.replace("|", "\\|")
        lines.append(
            f"| [{m.id}]({m.id}.md) | {m.name} | {m.severity.value} | {m.owasp_api or '—'} "
            f"| {m.cwe or '—'} | {title} |"
        )
    return "\n".join(lines) + "\n"


def pages(metas: Iterable[RuleMeta]) -> dict[str, str]:
    """File name -> content for the whole docs/rules directory."""
    metas = list(metas)
    out = {f"{m.id}.md": page(m) for m in metas}
    out[INDEX] = index(metas)
    return out


def write(directory: Path, metas: Iterable[RuleMeta]) -> list[str]:
    """Write the pages, delete generated pages of rules that no longer exist; names written."""
    directory.mkdir(parents=True, exist_ok=True)
    wanted = pages(metas)
    for stale in directory.glob("DG*.md"):
        if stale.name not in wanted:
            stale.unlink()
    for name, text in wanted.items():
        target = directory / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    return sorted(wanted)


def differences(directory: Path, metas: Iterable[RuleMeta]) -> list[str]:
    """What differs between `directory` and the generated pages (empty when in sync)."""
    wanted = pages(metas)
    problems = [
        f"{name}: missing" if not (directory / name).exists() else f"{name}: out of date"
        for name, text in sorted(wanted.items())
        if not (directory / name).exists() or (directory / name).read_text(encoding="utf-8") != text
    ]
    problems += [
        f"{p.name}: no such rule" for p in sorted(directory.glob("DG*.md")) if p.name not in wanted
    ]
    return problems
