"""Baselines: record today's findings by fingerprint, later report only new ones."""

from __future__ import annotations

import json
from pathlib import Path

from dynaguard.core import fileio
from dynaguard.core.findings import JSON, Finding

MAX_BASELINE_BYTES = 64 << 20  # ~300,000 findings; a FIFO or /dev/zero is never read


class BaselineError(Exception):
    """The baseline file is missing, unreadable or not a dynaguard baseline."""


def write(path: Path, findings: tuple[Finding, ...] | list[Finding]) -> None:
    """Write the fingerprints (with rule and place, for humans reading the diff).

    Raises core.fileio.OutputError when the path cannot be written.
    """
    entries: list[JSON] = [
        {"fingerprint": f.fingerprint, "rule": f.rule, "path": f.path, "route": f.route}
        for f in sorted(findings, key=Finding.sort_key)
    ]
    doc: dict[str, JSON] = {"tool": "dynaguard", "baseline": 1, "findings": entries}
    # atomic for a file (never half a baseline); a device or a symlink is never replaced
    fileio.write_text(path, json.dumps(doc, indent=2) + "\n")


def load(path: Path) -> frozenset[str]:
    """The fingerprints recorded in a baseline file."""
    try:
        doc = json.loads(fileio.read_capped(path, MAX_BASELINE_BYTES).decode("utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"baseline file not found: {path}") from None
    except IsADirectoryError:
        raise BaselineError(f"baseline {path} is a directory; give the file") from None
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BaselineError(f"{path} is not a dynaguard baseline (not JSON)") from None
    if not isinstance(doc, dict) or doc.get("baseline") != 1:
        raise BaselineError(f"{path} is not a dynaguard baseline (written by --write-baseline)")
    items = doc.get("findings")
    if not isinstance(items, list):
        raise BaselineError(f"{path}: 'findings' must be a list")
    # A hand-edited entry without a usable fingerprint would silently stop hiding anything.
    bad = [i for i, e in enumerate(items) if not _entry_ok(e)]
    if bad:
        raise BaselineError(f"{path}: findings[{bad[0]}] has no fingerprint string")
    return frozenset(str(e["fingerprint"]) for e in items)


def _entry_ok(entry: object) -> bool:
    if not isinstance(entry, dict):
        return False
    value = entry.get("fingerprint")
    return isinstance(value, str) and bool(value)


def filter_new(
    findings: tuple[Finding, ...] | list[Finding], known: frozenset[str]
) -> list[Finding]:
    """Findings whose fingerprint is not in the baseline."""
    return [f for f in findings if f.fingerprint not in known]
