"""Baselines: record today's findings by fingerprint, later report only new ones."""

from __future__ import annotations

import json
from pathlib import Path

from dynaguard.core.findings import JSON, Finding


class BaselineError(Exception):
    """The baseline file is missing, unreadable or not a dynaguard baseline."""


def write(path: Path, findings: tuple[Finding, ...] | list[Finding]) -> None:
    """Write the fingerprints (with rule and place, for humans reading the diff)."""
    entries: list[JSON] = [
        {"fingerprint": f.fingerprint, "rule": f.rule, "path": f.path, "route": f.route}
        for f in sorted(findings, key=Finding.sort_key)
    ]
    doc: dict[str, JSON] = {"tool": "dynaguard", "baseline": 1, "findings": entries}
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)  # never leave a half-written baseline behind


def load(path: Path) -> frozenset[str]:
    """The fingerprints recorded in a baseline file."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"baseline file not found: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc}") from None
    if not isinstance(doc, dict) or doc.get("baseline") != 1:
        raise BaselineError(f"{path} is not a dynaguard baseline (written by --write-baseline)")
    items = doc.get("findings")
    if not isinstance(items, list):
        raise BaselineError(f"{path}: 'findings' must be a list")
    return frozenset(
        str(e["fingerprint"]) for e in items if isinstance(e, dict) and "fingerprint" in e
    )


def filter_new(
    findings: tuple[Finding, ...] | list[Finding], known: frozenset[str]
) -> list[Finding]:
    """Findings whose fingerprint is not in the baseline."""
    return [f for f in findings if f.fingerprint not in known]
