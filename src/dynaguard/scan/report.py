"""Helpers rules share to turn a DynamoDB call (or a statement) into a Finding."""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from dynaguard.core.fileio import read_capped
from dynaguard.core.findings import JSON, Confidence, Finding, Severity
from dynaguard.core.registry import RuleMeta, get_rule
from dynaguard.scan import files
from dynaguard.scan.fastapi import assumed_auth
from dynaguard.scan.frames import Event
from dynaguard.scan.model import DynamoCall, Route
from dynaguard.scan.provenance import Origin, Source, Value

# Attribute names that identify an item: key attributes in most single- and multi-table designs.
KEY_NAME = re.compile(r"^(id|pk|sk|PK|SK|key|.*_id|.*Id|.*ID|.*_key|.*Key)$")
# Rules whose findings rest on the route's principal being the authenticated caller.
PRINCIPAL_RULES = frozenset({"DG103", "DG106"})
OWNER_NAME = re.compile(
    r"(?i)^(owner|user|tenant|account|org|organization|customer|author|created_by)(_?id)?$"
)


def meta(rule_id: str) -> RuleMeta:
    """A registered rule's metadata."""
    found = get_rule(rule_id)
    assert found is not None, rule_id
    return found.meta


def at_call(
    m: RuleMeta,
    call: DynamoCall,
    route: Route | None,
    message: str,
    *,
    evidence: dict[str, JSON] | None = None,
    severity: Severity | None = None,
    confidence: Confidence | None = None,
) -> Finding:
    """A finding located at a DynamoDB call; the anchor is function + operation + table."""
    anchor = f"{call.function or call.module}:{call.operation}:{call.handle.table or ''}"
    ev: dict[str, JSON] = {"operation": call.operation, "call": _short(call.node)}
    if call.handle.table:
        ev["table"] = call.handle.table
    if call.function:
        ev["function"] = call.function
    ev.update(evidence or {})
    if route is not None and m.id in PRINCIPAL_RULES and assumed_auth(route):
        # the principal is known by its name only: a wrong guess makes this finding wrong
        if (confidence or m.confidence) is Confidence.HIGH:
            confidence = Confidence.MEDIUM
        ev["auth"] = route.auth_evidence
    return m.finding(
        message=message,
        anchor=anchor,
        path=call.path,
        line=call.line,
        column=call.node.col_offset + 1,  # UTF-8 bytes until the engine's char_columns
        end_line=call.end_line,
        route=route.label if route else None,
        evidence=ev,
        severity=severity,
        confidence=confidence,
    )


def char_columns(findings: list[Finding], sources: Mapping[str, Path]) -> list[Finding]:
    """The findings with `column` counted in characters (code points), 1-based.

    Rules take the column from the syntax tree, whose `col_offset` counts UTF-8 bytes;
    the JSON contract, the text report and SARIF (`columnKind: unicodeCodePoints`) mean
    characters. `sources` maps a finding's path to the file it was read from.
    """
    lines: dict[str, list[str] | None] = {}
    out: list[Finding] = []
    for f in findings:
        key = f.path or ""
        src = sources.get(key)
        if f.column is None or f.line is None or src is None:
            out.append(f)
            continue
        if key not in lines:
            lines[key] = _non_ascii_lines(src)
        text = lines[key]
        if text is None or not 0 < f.line <= len(text):
            out.append(f)
            continue
        out.append(replace(f, column=char_column(text[f.line - 1], f.column - 1) + 1))
    return out


def char_column(line: str, byte_offset: int) -> int:
    """The 0-based character offset of a 0-based UTF-8 byte offset into `line`."""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", "ignore"))


def _non_ascii_lines(path: Path) -> list[str] | None:
    """The file's lines as the parser numbers them; None when bytes and characters agree."""
    try:  # most files are ASCII: their bytes answer without decoding, matching, splitting
        if read_capped(path, files.MAX_BYTES).isascii():
            return None
    except OSError:
        return None  # files.read reports these as unreadable: no text either
    text = files.read(path, path.parent).text
    if text is None or text.isascii():
        return None
    # only \r\n, \r and \n end a line for the tokenizer (str.splitlines also splits on
    # form feeds and Unicode separators, which would shift every later line)
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _short(node: ast.AST) -> str:
    # several rules report the same call: unparse it once, kept on the node itself (freed
    # with its tree; no table keyed by id())
    cached = vars(node).get("dg_short")
    if isinstance(cached, str):
        return cached
    try:
        text = ast.unparse(node)
    except RecursionError:  # ast.unparse recurses once per nesting level (a 990-deep a+a+...)
        return f"{type(node).__name__.lower()} too deeply nested to show"
    short = text if len(text) <= 160 else text[:157] + "..."
    vars(node)["dg_short"] = short
    return short


def where(ev: Event) -> dict[str, JSON]:
    """Evidence pointing at an event (file and line)."""
    fn = ev.frame.fn
    return {
        "path": fn.path if fn else ev.frame.module.path,
        "line": ev.line,
        "function": fn.qualname if fn else None,
    }


def describe(sources: set[Source] | frozenset[Source], *origins: Origin) -> list[JSON]:
    """Human-readable names of the sources of the given origins (`path item_id`)."""
    picked = sorted(
        {f"{s.origin.value} {s.dotted}" for s in sources if not origins or s.origin in origins}
    )
    return list(picked)


def request_sources(value: Value) -> set[Source]:
    """Sources of a value that the client controls."""
    return {s for s in value.all_sources() if s.origin in (Origin.PATH, Origin.QUERY, Origin.BODY)}


def lowered(value: Value) -> Confidence:
    """Medium confidence when part of the value could not be traced."""
    unknown = {Origin.UNKNOWN, Origin.PARAM}
    return Confidence.MEDIUM if value.origins() & unknown else Confidence.HIGH
