"""JSON report: the versioned contract of docs/ARCHITECTURE.md (`Result.to_json()`, schema 1)."""

from __future__ import annotations

from dynaguard.core.result import Result
from dynaguard.report._common import dumps


def render(result: Result) -> str:
    """The JSON document, keys in contract order, UTF-8 text kept readable, newline-ended."""
    # No sort_keys: the contract's key order is part of what users diff and read.
    return dumps(result.to_json()) + "\n"
