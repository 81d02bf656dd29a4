"""Helpers rules share to turn a DynamoDB call (or a statement) into a Finding."""

from __future__ import annotations

import ast
import re

from dynaguard.core.findings import JSON, Confidence, Finding, Severity
from dynaguard.core.registry import RuleMeta, get_rule
from dynaguard.scan.flow import Event
from dynaguard.scan.model import DynamoCall, Route
from dynaguard.scan.provenance import Origin, Source, Value

# Attribute names that identify an item: key attributes in most single- and multi-table designs.
KEY_NAME = re.compile(r"^(id|pk|sk|PK|SK|key|.*_id|.*Id|.*ID|.*_key|.*Key)$")
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
    return m.finding(
        message=message,
        anchor=anchor,
        path=call.path,
        line=call.line,
        column=call.node.col_offset + 1,
        end_line=call.end_line,
        route=route.label if route else None,
        evidence=ev,
        severity=severity,
        confidence=confidence,
    )


def _short(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 160 else text[:157] + "..."


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
