"""Fixture annotations: which (file, line, rule) a tree of annotated sources expects.

Marks, in comments on the reported line: `# expect: DG101` (reported here), `# ok: DG101`
(a near miss that must not be reported), `# todo-expect: DG101` (a known gap: asserted NOT
reported yet), `# todo-ok: DG101` (a known false positive: asserted reported). A file with
`# dynaguard-fixture: all-rules` makes the comparison cover every rule, not only the named.
Reusable on any tree (the demo's vulnerable app is checked with it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dynaguard.core.findings import Finding

MARK = re.compile(r"#\s*(expect|ok|todo-expect|todo-ok):\s*(DG\d{3}(?:\s*,\s*DG\d{3})*)")
ALL_RULES = "# dynaguard-fixture: all-rules"
Site = tuple[str, int, str]  # (path relative to the tree, line, rule)


@dataclass
class Annotations:
    """Every mark found in a tree, by kind."""

    expect: set[Site] = field(default_factory=set)
    ok: set[Site] = field(default_factory=set)
    todo_expect: set[Site] = field(default_factory=set)
    todo_ok: set[Site] = field(default_factory=set)
    all_rules: bool = False

    @property
    def rules(self) -> set[str]:
        """The rules the marks name (the comparison is restricted to them)."""
        marks = self.expect | self.ok | self.todo_expect | self.todo_ok
        return {rule for _, _, rule in marks}

    def wanted(self) -> set[Site]:
        """What the scan must report, exactly."""
        return self.expect | self.todo_ok


def read_annotations(root: Path) -> Annotations:
    """Read the marks of every .py file under root (paths relative to root)."""
    out = Annotations()
    files = [root] if root.is_file() else sorted(root.rglob("*.py"))
    for path in files:
        rel = path.name if root.is_file() else path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        out.all_rules |= ALL_RULES in text
        for lineno, line in enumerate(text.splitlines(), start=1):
            for m in MARK.finditer(line):
                kind = m.group(1).replace("-", "_")
                for rule in re.split(r"\s*,\s*", m.group(2)):
                    getattr(out, kind).add((rel, lineno, rule))
    return out


def reported(findings: Iterable[Finding], rules: set[str] | None) -> set[Site]:
    """(path, line, rule) of the findings, restricted to `rules` (None: all)."""
    return {
        (f.path or "", f.line or 0, f.rule) for f in findings if rules is None or f.rule in rules
    }


def problems(ann: Annotations, got: set[Site]) -> list[str]:
    """Human-readable differences between the marks and what was reported."""
    out: list[str] = []
    out += [f"missing  {p}:{n} {r} (# expect)" for p, n, r in sorted(ann.expect - got)]
    out += [
        f"missing  {p}:{n} {r} (# todo-ok: no longer reported, remove the mark)"
        for p, n, r in sorted(ann.todo_ok - got)
    ]
    out += [f"reported {p}:{n} {r} (# ok: a false positive)" for p, n, r in sorted(got & ann.ok)]
    out += [
        f"reported {p}:{n} {r} (# todo-expect: now found, turn it into # expect)"
        for p, n, r in sorted(got & ann.todo_expect)
    ]
    marked = ann.wanted() | ann.ok | ann.todo_expect
    out += [f"reported {p}:{n} {r} (unmarked)" for p, n, r in sorted(got - marked)]
    return out
