"""Every rule page, fix text and doc names only dynaguard.guard APIs that exist and are public."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.public_names import problems

ROOT = Path(__file__).resolve().parents[2]
# docs/rules/ is generated from the registry, checked below through the registry itself.
DOCS = sorted(p for p in (ROOT / "docs").rglob("*.md") if "rules" not in p.parts)


def _rule_texts() -> list[tuple[str, str]]:
    from dynaguard.cli.rules import load_registry, registered

    load_registry()
    return [(f"{m.id} {part}", text) for m in registered() for part, text in (
        ("fix", m.fix), ("page", m.doc))]  # fmt: skip


def test_rule_pages_and_fixes_name_real_public_apis() -> None:
    bad = {label: p for label, text in _rule_texts() if (p := problems(text))}
    assert bad == {}


@pytest.mark.parametrize("path", [ROOT / "README.md", *DOCS], ids=lambda p: p.name)
def test_docs_name_real_public_apis(path: Path) -> None:
    assert problems(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # An internal base class, and a method it does not have.
        (
            "With the guard library: `GuardedTable.update(..., v)`.",
            ["`GuardedTable.update`: GuardedTable is not exported by dynaguard.guard"],
        ),
        # A name that exists nowhere, found by the phrase around it.
        (
            "(guard library: ServerFields).",
            ["`ServerFields`: ServerFields is not exported by dynaguard.guard"],
        ),
        (
            "the guard library's `Expr` (every name aliased)",
            ["`Expr`: Expr is not exported by dynaguard.guard"],
        ),
        # A method that does not exist on a public class, in prose and in code.
        (
            "`OwnedTable.upsert(key)`",
            ["`OwnedTable.upsert`: OwnedTable has no public attribute upsert"],
        ),
        (
            "```python\nfrom dynaguard.guard import OwnedTable\n"
            "items = OwnedTable(t, key=('id',), owner='o')\nitems.upsert({})\n```",
            ["`OwnedTable.upsert`: OwnedTable has no public attribute upsert"],
        ),
        (
            "```python\nfrom dynaguard.guard.base import GuardedTable\n```",
            ["`dynaguard.guard.base.GuardedTable`: dynaguard.guard.base is an internal module"],
        ),
        # Through a FastAPI dependency's annotation, and a factory's return annotation.
        (
            "```python\nfrom typing import Annotated\nfrom dynaguard.guard import OwnedTable\n"
            "Notes = Annotated[OwnedTable, Depends(notes)]\n"
            "def route(notes: Notes):\n    notes.upsert({})\n"
            "def make() -> OwnedTable: ...\nmake().replace({})\n```",
            [
                "`OwnedTable.upsert`: OwnedTable has no public attribute upsert",
                "`OwnedTable.replace`: OwnedTable has no public attribute replace",
            ],
        ),
        # What exists is fine, and English words are not identifiers.
        ("`OwnedTable.update(key, changes, owner=o)`; the guard library's conditional writes.", []),
        ("```python\nfrom dynaguard.guard.fastapi import install_error_handlers\n```", []),
        ("`batch_get` reads many items", []),  # a method, also a private module function
        ("on `Path()`, `Query()`, `Field()`", []),  # FastAPI's, though the guard has a Query
        (
            "`plan_update` builds it",
            ["`plan_update`: plan_update is not exported by dynaguard.guard"],
        ),
        ("Plan the changes; see dynaguard.guard.", []),
    ],
)
def test_the_check_itself(text: str, expected: list[str]) -> None:
    assert problems(text) == expected
