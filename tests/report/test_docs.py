"""docs/rules/ is generated from the registry; the committed pages must match it exactly.

When this fails after a rule changed: `dynaguard rules --write-docs docs/rules`, review, commit.
"""

from __future__ import annotations

from pathlib import Path

from dynaguard.core.findings import Confidence, Severity
from dynaguard.core.registry import RuleMeta
from dynaguard.report import docs

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules"

META = RuleMeta(
    id="DG199",
    name="sample-rule",
    title="A | piped title",
    severity=Severity.MEDIUM,
    confidence=Confidence.LOW,
    owasp_api="API3:2023",
    cwe="CWE-915",
    fix="Copy fields explicitly.",
    doc="# DG199\n\n## What it does\nFinds x.\n\n## Why is this bad?\nBecause y.",
    module="tests",
)


def test_committed_pages_match_the_registry() -> None:
    from dynaguard.cli.rules import load_registry, registered

    load_registry()
    problems = docs.differences(DOCS, registered())
    assert problems == [], "run `dynaguard rules --write-docs docs/rules`: " + "; ".join(problems)


def test_page_has_metadata_fix_and_doc() -> None:
    page = docs.page(META)
    assert page.startswith(docs.GENERATED + "\n\n# DG199 sample-rule\n")
    assert "| Severity | medium |" in page
    owasp = "API3:2023 Broken Object Property Level Authorization"
    assert f"| OWASP API Security Top 10 | {owasp} |" in page
    assert "[CWE-915](https://cwe.mitre.org/data/definitions/915.html)" in page
    assert "**Fix:** Copy fields explicitly." in page
    assert page.endswith("## Why is this bad?\nBecause y.\n")
    assert "# DG199\n\n## What" not in page  # the docstring's own title is dropped


def test_index_escapes_pipes_and_links_pages() -> None:
    index = docs.index([META])
    row = "| [DG199](DG199.md) | sample-rule | medium | API3:2023 | CWE-915 | A \\| piped title |"
    assert row in index


def test_write_then_differences_round_trip(tmp_path: Path) -> None:
    # Given pages written, nothing differs; When one is edited or orphaned, Then it is named.
    assert docs.write(tmp_path, [META]) == ["DG199.md", "README.md"]
    assert docs.differences(tmp_path, [META]) == []
    (tmp_path / "DG199.md").write_text("edited", encoding="utf-8")
    (tmp_path / "DG198.md").write_text("old rule", encoding="utf-8")
    assert docs.differences(tmp_path, [META]) == [
        "DG199.md: out of date",
        "DG198.md: no such rule",
    ]
    docs.write(tmp_path, [META])
    assert not (tmp_path / "DG198.md").exists()
    assert docs.differences(tmp_path, []) == ["README.md: out of date", "DG199.md: no such rule"]
