"""Mechanical fixes for findings whose repair needs no judgement (`dynaguard scan --fix`).

    from dynaguard.fix import apply
    outcome = apply(source_text, findings_in_that_file)
    outcome.text, outcome.fixed, outcome.skipped

Edits go through a concrete syntax tree (libcst), so comments, quotes and layout
survive. One module per rule; each gets the file's text and its findings of that rule
(their lines mapped onto the text as earlier fixes changed it) and returns the new text
and which findings it fixed. A finding a fixer cannot fix safely is left alone and
listed with the reason: a fix is either obviously right or not made.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from dynaguard.core.findings import Finding

# (text, findings of the rule) -> (new text, fixed findings, [(finding, reason)])
Fixer = Callable[[str, Sequence[Finding]], "tuple[str, list[Finding], list[tuple[Finding, str]]]"]

FIXABLE = ("DG108", "DG116", "DG112")  # the order fixes are applied in


class FixUnavailable(RuntimeError):
    """libcst is not installed: `pip install 'dynaguard[fix]'`."""


@dataclass
class Outcome:
    """The fixed text, the findings fixed, and those left with the reason."""

    text: str
    fixed: list[Finding] = field(default_factory=list)
    skipped: list[tuple[Finding, str]] = field(default_factory=list)


def fixer(rule: str) -> Fixer:
    """The fix function of a rule (ImportError-free: FixUnavailable without libcst)."""
    try:
        import libcst  # noqa: F401
    except ImportError:
        raise FixUnavailable(
            "--fix needs libcst, which is not installed; install with: "
            "python3 -m pip install 'dynaguard[fix]'"
        ) from None
    if rule == "DG108":
        from dynaguard.fix.dg108_reserved_word import fix
    elif rule == "DG116":
        from dynaguard.fix.dg116_client_method import fix
    elif rule == "DG112":
        from dynaguard.fix.dg112_error_leak import fix
    else:
        raise KeyError(rule)
    return fix


def apply(text: str, findings: Sequence[Finding]) -> Outcome:
    """Apply every fixable rule's fix to one file's text, rule after rule."""
    outcome = Outcome(text=text)
    original = text
    for rule in FIXABLE:
        mine = [f for f in findings if f.rule == rule and f.line]
        if not mine:
            continue
        moved = _line_map(original, outcome.text)
        placed = [replace(f, line=moved(f.line or 0)) for f in mine]
        back = {id(p): f for p, f in zip(placed, mine, strict=True)}
        try:
            new, fixed, skipped = fixer(rule)(outcome.text, placed)
        except Exception as exc:  # one fixer's bug must not lose the others' work
            outcome.skipped += [(f, f"the fixer stopped: {type(exc).__name__}") for f in mine]
            continue
        outcome.text = new
        outcome.fixed += [back[id(f)] for f in fixed]
        outcome.skipped += [(back[id(f)], why) for f, why in skipped]
    return outcome


def _line_map(before: str, after: str) -> Callable[[int], int]:
    """Where a line of `before` is in `after` (unchanged lines exactly, edited ones 1:1)."""
    if before == after:
        return lambda n: n
    ops = difflib.SequenceMatcher(
        None, before.splitlines(), after.splitlines(), autojunk=False
    ).get_opcodes()

    def moved(n: int) -> int:
        i = n - 1
        for tag, a0, a1, b0, b1 in ops:
            if a0 <= i < a1:
                if tag == "equal" or (a1 - a0) == (b1 - b0):
                    return b0 + (i - a0) + 1
                return b0 + 1
        return n

    return moved


def unified_diff(path: str, before: str, after: str) -> str:
    """A unified diff of one file (`a/path`, `b/path`), as git shows it."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
