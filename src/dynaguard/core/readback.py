"""Read a JSON report (the schema-1 contract) back into a Result, for `dynaguard report`."""

from __future__ import annotations

import json
from pathlib import Path

from dynaguard.core.fileio import read_capped
from dynaguard.core.findings import JSON, Confidence, EngineKind, Finding, Severity
from dynaguard.core.result import SCHEMA, Diagnostic, Result


class ReportError(Exception):
    """The file is not a dynaguard JSON report this version can read; one line for the user."""


MAX_REPORT_BYTES = 256 << 20  # a report of ~1,000,000 findings


def load(path: Path) -> Result:
    """The Result a `--format json` report holds."""
    try:
        # only a regular file, and bounded: a FIFO or /dev/zero must not hang the run
        doc = json.loads(read_capped(path, MAX_REPORT_BYTES).decode("utf-8"))
    except FileNotFoundError:
        raise ReportError(f"report not found: {path}") from None
    except IsADirectoryError:
        raise ReportError(f"{path} is a directory; give the JSON report") from None
    except OSError as exc:
        raise ReportError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ReportError(f"{path} is not a dynaguard JSON report (not JSON)") from None
    try:
        return from_json(doc)
    except ReportError as exc:
        raise ReportError(f"{path}: {exc}") from None


def from_json(doc: JSON) -> Result:
    """The inverse of Result.to_json (score, grade and counts are recomputed)."""
    if not isinstance(doc, dict) or doc.get("tool") != "dynaguard":
        raise ReportError("not a dynaguard JSON report (write one with --format json)")
    if doc.get("schema") != SCHEMA:
        raise ReportError(f"report schema {doc.get('schema')!r}; this version reads {SCHEMA}")
    try:
        engine = EngineKind(doc.get("engine"))
    except ValueError:
        raise ReportError(f"unknown engine {doc.get('engine')!r}") from None
    findings = _list(doc, "findings")
    stats = doc.get("stats")
    return Result(
        tool_version=str(doc.get("version") or ""),
        engine=engine,
        target=str(doc.get("target") or ""),
        findings=tuple(_finding(f, i) for i, f in enumerate(findings)),
        errors=tuple(_diagnostic(d) for d in _list(doc, "errors")),
        warnings=tuple(_diagnostic(d) for d in _list(doc, "warnings")),
        stats=stats if isinstance(stats, dict) else {},
    )


def _list(doc: dict[str, JSON], key: str) -> list[JSON]:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise ReportError(f"'{key}' must be a list")
    return value


def _finding(item: JSON, index: int) -> Finding:
    if not isinstance(item, dict):
        raise ReportError(f"findings[{index}] is not an object")
    try:
        evidence = item.get("evidence") or {}
        return Finding(
            rule=_text(item, "rule"),
            name=_text(item, "name"),
            severity=Severity.parse(_text(item, "severity")),
            confidence=Confidence(_text(item, "confidence")),
            title=str(item.get("title") or ""),
            message=str(item.get("message") or ""),
            fix=str(item.get("fix") or ""),
            fingerprint=_text(item, "fingerprint"),
            owasp_api=_optional(item, "owasp_api"),
            cwe=_optional(item, "cwe"),
            path=_optional(item, "path"),
            line=_number(item, "line"),
            column=_number(item, "column"),
            end_line=_number(item, "end_line"),
            route=_optional(item, "route"),
            evidence=evidence if isinstance(evidence, dict) else {"value": evidence},
        )
    except (ValueError, TypeError) as exc:
        raise ReportError(f"findings[{index}]: {exc}") from None


def _diagnostic(item: JSON) -> Diagnostic:
    if not isinstance(item, dict):
        return Diagnostic(path="", message=str(item))
    line = item.get("line")
    return Diagnostic(
        path=str(item.get("path") or ""),
        message=str(item.get("message") or ""),
        line=line if isinstance(line, int) and not isinstance(line, bool) else None,
        kind=str(item.get("kind") or "error"),
    )


def _text(item: dict[str, JSON], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"'{key}' must be a non-empty string")
    return value


def _optional(item: dict[str, JSON], key: str) -> str | None:
    value = item.get(key)
    return value if isinstance(value, str) and value else None


def _number(item: dict[str, JSON], key: str) -> int | None:
    value = item.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
