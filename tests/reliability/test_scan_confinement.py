"""S5/S8: a file that breaks the analysis costs that file, never the findings of the others.

The crafted file and the rule are reported as an `analysis-error`, the run is marked
`complete: false`, and the exit code is never 0 (2 when nothing reaches --fail-on).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dynaguard.core import registry
from dynaguard.core.findings import Finding
from dynaguard.scan import scan
from tests.reliability.scan_support import VULNERABLE, VULNERABLE_LINE, dynaguard, project

HEADER = (
    "import boto3\nfrom fastapi import FastAPI\n\napp = FastAPI()\n"
    'table = boto3.resource("dynamodb").Table("t")\n\n\n@app.post("/deep")\ndef deep(a: str):\n'
)
CHAIN = "a" + ".b" * 990  # a 990-deep Attribute node: recursion in expression resolution
SUM = " + ".join(["a"] * 990)  # a 990-deep BinOp


def _sites(findings: list[dict[str, object]] | tuple[Finding, ...]) -> set[tuple[object, ...]]:
    rows = [f if isinstance(f, dict) else f.to_json() for f in findings]
    return {(f["path"], f["line"], f["rule"]) for f in rows}


DEEP = {  # each nests 990 levels deep in the syntax tree
    "attribute chain": CHAIN,
    "sum": SUM,
    "string concatenation": " + ".join(["'x'"] * 990),
    "subscripts": "a" + "[0]" * 990,
    "method chain": "a" + ".m()" * 990,
    "conditional expressions": "a if a else " * 990 + "a",
}


@pytest.mark.parametrize("expr", DEEP.values(), ids=DEEP.keys())
def test_deeply_nested_expressions_are_analysed_like_any_other(tmp_path: Path, expr: str) -> None:
    # Given a route whose write holds a 990-deep expression, in the item and the update
    app = project(tmp_path)
    (app / "deep.py").write_text(
        HEADER
        + f"    x = {expr}\n    table.put_item(Item={{'id': x, 'k': {expr}}})\n"
        + f"    table.update_item(Key={{'id': a}}, UpdateExpression={expr})\n",
        encoding="utf-8",
    )
    # When scanned, Then every write is found and nothing is reported as broken
    result = scan([app], root=app)
    assert _sites(result.findings) == {
        ("deep.py", 11, "DG101"),
        ("deep.py", 12, "DG101"),
        ("vuln.py", VULNERABLE_LINE, "DG101"),
    }
    assert result.errors == () and result.stats["complete"] is True


def test_a_file_that_breaks_rules_is_set_aside_and_reported(tmp_path: Path) -> None:
    # Given a crafted file whose expressions nest 990 deep inside the written item
    app = project(tmp_path)
    (app / "deep.py").write_text(
        HEADER + f"    table.put_item(Item={{'id': a, 'k': {SUM}, 'j': {CHAIN}.c()}})\n",
        encoding="utf-8",
    )
    # When scanned with a gate no finding reaches
    run = dynaguard("scan", ".", "--format", "json", "--fail-on", "critical", cwd=app)
    doc = json.loads(run.out)
    # Then the other file's finding is still there
    assert ("vuln.py", VULNERABLE_LINE, "DG101") in _sites(doc["findings"])
    # And deep.py is either analysed or named, with the rule, as not analysed
    broken = [e for e in doc["errors"] if e.get("kind") == "analysis-error"]
    assert all(e["path"] == "deep.py" and "DG1" in e["message"] for e in broken), broken
    assert doc["stats"]["complete"] is (not broken)
    # And an incomplete run never passes the gate
    assert run.code == (2 if broken else 0), run.err
    assert "Traceback" not in run.err


def test_a_rule_failing_on_one_file_keeps_its_findings_in_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given DG101 breaks (an unforeseen bug) whenever it reaches a call in crafted.py
    app = project(tmp_path)
    (app / "crafted.py").write_text(VULNERABLE.replace("/users", "/other"), encoding="utf-8")
    rule = registry.get_rule("DG101")
    assert rule is not None

    def fragile(project: object) -> Iterator[Finding]:
        for call in getattr(project, "calls"):  # noqa: B009 (the rule's own loop variable)
            if call.path == "crafted.py":
                raise KeyError("a bug that only this file triggers")
        yield from rule.check(project)

    monkeypatch.setitem(registry._REGISTRY, "DG101", registry.Registered(rule.meta, fragile))
    # When scanned
    result = scan([app], root=app)
    # Then vuln.py's finding is reported, and crafted.py is named with the rule
    assert _sites(result.findings) == {("vuln.py", VULNERABLE_LINE, "DG101")}
    assert [(e.path, e.kind, e.message.split(" (")[0]) for e in result.errors] == [
        ("crafted.py", "analysis-error", "DG101 could not analyse this file")
    ]
    assert result.stats["complete"] is False


@pytest.mark.skipif(os.uname().sysname == "Darwin", reason="APFS refuses non-UTF-8 names")
def test_a_file_name_that_is_not_utf8_is_reported_like_any_other(tmp_path: Path) -> None:
    # Given a vulnerable file whose name is not valid UTF-8, next to vuln.py
    app = project(tmp_path)
    name = os.fsencode(app) + b"/bad\xffname.py"
    with open(name, "wb") as f:
        f.write(VULNERABLE.replace("/users", "/other").encode())
    out = tmp_path / "report.sarif"
    # When scanned, to stdout as JSON and to a file as SARIF
    run = dynaguard("scan", ".", "--format", "json", cwd=app)
    sarif = dynaguard("scan", ".", "--format", "sarif", "-o", str(out), cwd=app)
    # Then both findings are reported, with distinct fingerprints, and the exit code is 1
    assert run.code == 1 and sarif.code == 1, run.err + sarif.err
    doc = json.loads(run.out)
    assert _sites(doc["findings"]) == {
        ("bad\udcffname.py", 10, "DG101"),
        ("vuln.py", VULNERABLE_LINE, "DG101"),
    }
    assert len({f["fingerprint"] for f in doc["findings"]}) == 2
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in json.loads(out.read_text("utf-8"))["runs"][0]["results"]
    ]
    assert sorted(uris) == ["bad%FFname.py", "vuln.py"]
