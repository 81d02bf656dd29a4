"""The two reports side by side: score, grade, findings per class and what the fix was."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from dynaguard.core.result import Result

APPS = ("vulnerable", "hardened")
ENGINES = ("static", "probe")


# What the hardened twin does about each class (the rule's generic fix is the fallback).
HARDENED_FIX: dict[str, str] = {
    "DG101": "update/delete conditional on owner and version (OwnedTable.update)",
    "DG102": "owner in the DeleteItem condition, no read first (OwnedTable.delete)",
    "DG103": "get/update/delete by owner: NotFound when not yours (OwnedTable)",
    "DG104": "every route depends on get_current_user",
    "DG105": "input models without role, extra='forbid'; guard server_fields",
    "DG106": "the key comes from the path only; a body id is a 422",
    "DG108": "the guard aliases every attribute name (#n0)",
    "DG109": "counter and attachment in one transaction (table.transaction())",
    "DG111": "aioboto3 through AsyncOwnedTable in async routes",
    "DG112": "fixed error messages with a correlation id",
    "DG113": "ids constrained to 32 hex digits before any DynamoDB call",
    "DG115": "explicit response models",
    "DG116": "transactions through the guard (the client, not the Table)",
    "DG117": "404 for missing and for others' objects alike",
    "DG118": "the template grants only the actions the code calls, on its tables",
    "DG119": "archive conditioned on the prior state (when=Attr('status')...)",
    "DG201": "OwnedTable.get: 404 for others' objects",
    "DG202": "owner in the write's condition",
    "DG203": "authentication on every route",
    "DG204": "server-controlled fields rejected (422)",
    "DG205": "ETag + If-Match (428 without, 412 when stale)",
    "DG206": "the key comes from the path only",
    "DG207": "fixed error messages with a correlation id",
    "DG208": "ids constrained by pattern (422)",
    "DG209": "explicit response models",
    "DG210": "404 for missing and for others' objects alike",
    "DG211": "uuid4 ids",
}


@dataclass(frozen=True, slots=True)
class Row:
    """One class of finding: rule, name, count per app, and what the hardened app does."""

    rule: str
    name: str
    counts: tuple[int, int]
    fix: str


def first_sentence(text: str, limit: int = 90) -> str:
    """The fix's first sentence, cut to `limit` characters."""
    sentence = text.strip().split(". ")[0].rstrip(".")
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


def rows(results: dict[tuple[str, str], Result], engine: str) -> list[Row]:
    """Per-rule counts of one engine for both apps, in rule order."""
    counts = {app: Counter[str]() for app in APPS}
    meta: dict[str, tuple[str, str]] = {}
    for app in APPS:
        result = results.get((app, engine))
        for f in result.findings if result else ():
            counts[app][f.rule] += 1
            meta.setdefault(f.rule, (f.name, f.fix))
    return [
        Row(
            rule,
            name,
            (counts[APPS[0]][rule], counts[APPS[1]][rule]),
            HARDENED_FIX.get(rule) or first_sentence(fix),
        )
        for rule, (name, fix) in sorted(meta.items())
    ]


def grade_cell(result: Result | None) -> str:
    """`score/100 grade` or a dash when the engine did not run."""
    return f"{result.score}/100 {result.grade}" if result else "—"


def plain(results: dict[tuple[str, str], Result], skipped: dict[str, str]) -> str:
    """The summary as plain text (no colour), for logs and non-terminals."""
    lines: list[str] = []
    for engine in ENGINES:
        if engine in skipped:
            lines.append(f"{engine}: skipped ({skipped[engine]})")
            continue
        cells = [grade_cell(results.get((app, engine))) for app in APPS]
        title = f"{engine.upper()} ({'scan' if engine == 'static' else 'probe --active'})"
        lines += ["", f"{title:34} {'vulnerable':>12} {'hardened':>12}"]
        lines.append(f"  {'score, grade':32} {cells[0]:>12} {cells[1]:>12}")
        for row in rows(results, engine):
            label = f"{row.rule} {row.name}"
            counts = f"{row.counts[0]:>12} {row.counts[1]:>12}"
            lines.append(f"  {label:32} {counts}   hardened: {row.fix}")
    return "\n".join(lines).lstrip("\n") + "\n"


def rich_table(
    results: dict[tuple[str, str], Result], skipped: dict[str, str], engine: str
) -> object:
    """One engine's summary as a rich Table (built only on a terminal)."""
    from rich.table import Table

    title = "static: dynaguard scan" if engine == "static" else "dynamic: dynaguard probe --active"
    table = Table(title=title)
    table.add_column("class")
    table.add_column("vulnerable", justify="right", style="red")
    table.add_column("hardened", justify="right", style="green")
    table.add_column("the fix (hardened app)")
    if engine in skipped:
        table.add_row("skipped", "—", "—", skipped[engine])
        return table
    cells = [grade_cell(results.get((app, engine))) for app in APPS]
    table.add_row("[bold]score, grade[/bold]", cells[0], cells[1], "")
    for row in rows(results, engine):
        table.add_row(f"{row.rule} {row.name}", str(row.counts[0]), str(row.counts[1]), row.fix)
    return table
