"""Fixture annotations: which (file, line, rule) a tree of annotated sources expects.

Marks, in comments on the reported line: `# expect: DG101` (reported here), `# ok: DG101`
(a near miss that must not be reported), `# todo-expect: DG101` (a known gap: asserted NOT
reported yet), `# todo-ok: DG101` (a known false positive: asserted reported). An expect
mark may state the severity, `# expect: DG101(low)`: every finding of that rule on that
line must then have it (a plain `# expect: DG101` accepts any severity). A file with
`# dynaguard-fixture: all-rules` makes the comparison cover every rule, not only the named.
Reusable on any tree (the demo's vulnerable app is checked with it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dynaguard.core.findings import Finding, Severity

# one rule, optionally with a severity in parentheses: DG101 or DG101(low)
RULE = r"DG\d{3}(?:\s*\([^()\n]*\))?"
MARK = re.compile(rf"#\s*(expect|ok|todo-expect|todo-ok):\s*({RULE}(?:\s*,\s*{RULE})*)")
ONE = re.compile(r"(DG\d{3})(?:\s*\(([^()\n]*)\))?")
ALL_RULES = "# dynaguard-fixture: all-rules"
Site = tuple[str, int, str]  # (path relative to the tree, line, rule)
# files whose `#` comments carry marks: Python, and the IaC formats DG118 reads
MARKED = frozenset({".py", ".yaml", ".yml", ".tf"})


@dataclass
class Annotations:
    """Every mark found in a tree, by kind."""

    expect: set[Site] = field(default_factory=set)
    ok: set[Site] = field(default_factory=set)
    todo_expect: set[Site] = field(default_factory=set)
    todo_ok: set[Site] = field(default_factory=set)
    all_rules: bool = False
    severity: dict[Site, Severity] = field(default_factory=dict)  # stated on expect marks
    invalid: list[str] = field(default_factory=list)  # marks that cannot mean anything

    @property
    def rules(self) -> set[str]:
        """The rules the marks name (the comparison is restricted to them)."""
        marks = self.expect | self.ok | self.todo_expect | self.todo_ok
        return {rule for _, _, rule in marks}

    def wanted(self) -> set[Site]:
        """What the scan must report, exactly."""
        return self.expect | self.todo_ok


def read_annotations(root: Path) -> Annotations:
    """Read the marks of every .py, YAML and .tf file under root (paths relative to root)."""
    out = Annotations()
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.suffix in MARKED)
    for path in files:
        rel = path.name if root.is_file() else path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        out.all_rules |= ALL_RULES in text
        for lineno, line in enumerate(text.splitlines(), start=1):
            for m in MARK.finditer(line):
                kind = m.group(1).replace("-", "_")
                for one in ONE.finditer(m.group(2)):
                    site = (rel, lineno, one.group(1))
                    getattr(out, kind).add(site)
                    if one.group(2) is not None:
                        _severity(out, site, kind, one.group(2))
    return out


def _severity(out: Annotations, site: Site, kind: str, text: str) -> None:
    where = f"{site[0]}:{site[1]} {site[2]}({text})"
    if kind != "expect":  # nothing is reported there, or it is a false positive anyway
        out.invalid.append(f"invalid  {where}: a severity only goes on an # expect mark")
        return
    try:
        out.severity[site] = Severity.parse(text)
    except ValueError as exc:
        out.invalid.append(f"invalid  {where}: {exc}")


def reported(findings: Iterable[Finding], rules: set[str] | None) -> set[Site]:
    """(path, line, rule) of the findings, restricted to `rules` (None: all)."""
    return {
        (f.path or "", f.line or 0, f.rule) for f in findings if rules is None or f.rule in rules
    }


def problems(ann: Annotations, findings: Iterable[Finding], rules: set[str] | None) -> list[str]:
    """Human-readable differences between the marks and the findings (of `rules`; None: all)."""
    found = list(findings)
    got = reported(found, rules)
    out: list[str] = list(ann.invalid)
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
    return out + _wrong_severities(ann, found)


def _wrong_severities(ann: Annotations, findings: list[Finding]) -> list[str]:
    out: list[str] = []
    for f in sorted(findings, key=Finding.sort_key):
        site = (f.path or "", f.line or 0, f.rule)
        stated = ann.severity.get(site)
        if stated is not None and f.severity is not stated:
            p, n, r = site
            out.append(
                f"severity {p}:{n} {r}: reported {f.severity.value}, marked {stated.value}"
                f"{f' (route {f.route})' if f.route else ''}"
            )
    return out
