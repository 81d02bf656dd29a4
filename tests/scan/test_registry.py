"""The registry's static rules are well formed and each has fixtures with an expect and an ok."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import dynaguard.scan.rules  # noqa: F401  (registers the rules)
from dynaguard.core import EngineKind, all_rules
from dynaguard.core.registry import SECTIONS, sections
from dynaguard.core.taxonomy import OWASP_API_2023

from .annotations import read_annotations

FIXTURES = Path(__file__).parent / "fixtures"
STATIC = [r.meta for r in all_rules(EngineKind.STATIC)]


def test_rules_are_registered() -> None:
    ids = [m.id for m in STATIC]
    assert len(ids) == len(set(ids))
    assert {"DG101", "DG102", "DG103", "DG105", "DG106"} <= set(ids)


@pytest.mark.parametrize("meta", STATIC, ids=[m.id for m in STATIC])
def test_rule_metadata(meta: object) -> None:
    from dynaguard.core.registry import RuleMeta

    assert isinstance(meta, RuleMeta)
    assert re.fullmatch(r"DG1\d{2}", meta.id)
    assert re.fullmatch(r"CWE-[1-9]\d*", meta.cwe)
    assert meta.owasp_api is None or meta.owasp_api in OWASP_API_2023
    assert list(sections(meta.doc)) == list(SECTIONS)
    assert all(sections(meta.doc)[h] for h in SECTIONS)
    assert meta.module == f"dynaguard.scan.rules.{meta.id.lower()}_{meta.name.replace('-', '_')}"


@pytest.mark.parametrize("meta", STATIC, ids=[m.id for m in STATIC])
def test_rule_has_fixtures(meta: object) -> None:
    from dynaguard.core.registry import RuleMeta

    assert isinstance(meta, RuleMeta)
    ann = read_annotations(FIXTURES / meta.id)
    assert any(r == meta.id for _, _, r in ann.expect), f"{meta.id}: no # expect"
    assert any(r == meta.id for _, _, r in ann.ok), f"{meta.id}: no # ok"
