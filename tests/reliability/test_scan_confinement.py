"""S5/S8: a file that breaks the analysis costs that file, never the findings of the others.

The crafted file and the rule are reported as an `analysis-error`, the run is marked
`complete: false`, and the exit code is never 0 (2 when nothing reaches --fail-on).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dynaguard.core.findings import Finding
from dynaguard.scan import scan
from dynaguard.scan.index import Project
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
    # When scanned, Then every write is found (DG101) and nothing is reported as broken
    result = scan([app], root=app)
    assert {s for s in _sites(result.findings) if s[2] == "DG101"} == {
        ("deep.py", 11, "DG101"),
        ("deep.py", 12, "DG101"),
        ("vuln.py", VULNERABLE_LINE, "DG101"),
    }
    assert result.errors == () and result.stats["complete"] is True


# The CLI with DG101 broken (an unforeseen bug) on any call in crafted.py.
FRAGILE_CLI = """
import runpy, sys
from dynaguard.core import registry
import dynaguard.scan.rules
rule = registry.get_rule("DG101")
def fragile(project):
    for call in project.calls:
        if call.path == "crafted.py":
            raise KeyError("a bug that only this file triggers")
    yield from rule.check(project)
registry._REGISTRY["DG101"] = registry.Registered(rule.meta, fragile)
sys.argv = ["dynaguard", *sys.argv[1:]]
runpy.run_module("dynaguard", run_name="__main__")
"""


@pytest.mark.parametrize(("fail_on", "code"), [("high", 1), ("critical", 2), ("none", 2)], ids=str)
def test_an_incomplete_run_never_exits_0(tmp_path: Path, fail_on: str, code: int) -> None:
    # Given a project where one file breaks a rule
    app = project(tmp_path)
    (app / "crafted.py").write_text(VULNERABLE.replace("/users", "/other"), encoding="utf-8")
    # When scanned by the CLI
    argv = ("scan", ".", "--format", "json", "--fail-on", fail_on)
    run = dynaguard(*argv, cwd=app, python_args=("-c", FRAGILE_CLI))
    # Then the other file's finding is reported, the broken file is named with the rule
    doc = json.loads(run.out)
    assert _sites(doc["findings"]) == {("vuln.py", VULNERABLE_LINE, "DG101")}
    assert [(e["path"], e["kind"]) for e in doc["errors"]] == [("crafted.py", "analysis-error")]
    assert "DG101" in doc["errors"][0]["message"] and doc["stats"]["complete"] is False
    # And the exit code says so: 1 when findings fail the gate anyway, else 2, never 0
    assert run.code == code, run.err
    assert ("the run is incomplete" in run.err) is (code == 2)
    assert "Traceback" not in run.err
    if fail_on == "none":  # And SARIF says the execution did not succeed
        sarif = dynaguard(
            "scan", ".", "--format", "sarif", cwd=app, python_args=("-c", FRAGILE_CLI)
        )
        (invocation,) = json.loads(sarif.out)["runs"][0]["invocations"]
        assert invocation["executionSuccessful"] is False


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


def _replace_rule(
    monkeypatch: pytest.MonkeyPatch, rule_id: str, check: Callable[..., object]
) -> None:
    import dynaguard.scan.rules  # noqa: F401  (registers every rule)
    from dynaguard.core import registry

    rule = registry.get_rule(rule_id)
    assert rule is not None
    monkeypatch.setitem(registry._REGISTRY, rule_id, registry.Registered(rule.meta, check))


def _pool_always(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rules in worker processes at --jobs 2 even for a project this small."""
    from dynaguard.scan import rulepool

    monkeypatch.setattr(rulepool, "MIN_WORK", 0)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_rule_one_file_breaks_costs_that_file_whichever_process_runs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    # Given DG101 broken (an unforeseen bug) on any call in crafted.py
    import dynaguard.scan.rules.dg101_unconditional_write as dg101

    def fragile(project: Project) -> Iterator[Finding]:
        for call in project.calls:
            if call.path == "crafted.py":
                raise KeyError("a bug that only this file triggers")
        yield from dg101.check(project)

    _replace_rule(monkeypatch, "DG101", fragile)
    _pool_always(monkeypatch)
    app = project(tmp_path)
    (app / "crafted.py").write_text(VULNERABLE.replace("/users", "/other"), encoding="utf-8")
    # When scanned with the rules in this process (1) or in worker processes (2)
    result = scan([app], root=app, jobs=jobs)
    # Then the rule fails in the worker, runs again here without crafted.py, and only that
    # file is set aside: the other file's findings are all there
    assert {s for s in _sites(result.findings) if s[2] == "DG101"} == {
        ("vuln.py", VULNERABLE_LINE, "DG101")
    }
    assert [(e.path, e.kind) for e in result.errors] == [("crafted.py", "analysis-error")]
    assert "DG101" in result.errors[0].message and result.stats["complete"] is False


def test_a_rule_that_kills_its_worker_is_reported_and_the_other_rules_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the last rule (always in a worker's share: this process runs the first share)
    # ending whichever worker process runs it, as the out-of-memory killer would
    import dynaguard.scan.rules  # noqa: F401  (registers every rule)
    from dynaguard.core.findings import EngineKind
    from dynaguard.core.registry import all_rules

    last = all_rules(EngineKind.STATIC)[-1]
    parent = os.getpid()

    def deadly(project: Project) -> object:
        if os.getpid() != parent:
            os._exit(9)
        return last.check(project)

    app = project(tmp_path)
    every = scan([app], root=app, jobs=1)
    _replace_rule(monkeypatch, last.meta.id, deadly)
    _pool_always(monkeypatch)
    # When scanned with the rules in two processes
    result = scan([app], root=app, jobs=2)
    # Then every other rule's findings are reported, and the rule is named as not run (it
    # is never run in this process, where it would end the whole scan)
    others = {s for s in _sites(every.findings) if s[2] != last.meta.id}
    assert _sites(result.findings) == others
    assert ("vuln.py", VULNERABLE_LINE, "DG101") in others
    assert [(e.path, e.kind) for e in result.errors] == [(last.meta.id, "analysis-error")]
    assert "worker process running it died" in result.errors[0].message
    assert result.stats["complete"] is False
    assert any("a worker process running rules died" in w.message for w in result.warnings)


def test_a_result_a_worker_cannot_send_back_is_computed_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the last rule (a worker's share) adding evidence no pickle can carry back
    import dataclasses

    import dynaguard.scan.rules  # noqa: F401  (registers every rule)
    from dynaguard.core.findings import EngineKind
    from dynaguard.core.registry import all_rules

    last, dg101 = all_rules(EngineKind.STATIC)[-1], all_rules(EngineKind.STATIC)[0]

    def unpicklable(project: Project) -> Iterator[Finding]:
        for f in dg101.check(project):  # type: ignore[union-attr]
            yield dataclasses.replace(f, rule=last.meta.id, evidence={"fn": lambda: None})

    _replace_rule(monkeypatch, last.meta.id, unpicklable)
    _pool_always(monkeypatch)
    app = project(tmp_path)
    # When scanned with the rules in two processes
    result = scan([app], root=app, jobs=2)
    # Then the rule ran again in this process: its finding is there and nothing is lost
    assert ("vuln.py", VULNERABLE_LINE, last.meta.id) in _sites(result.findings)
    assert ("vuln.py", VULNERABLE_LINE, "DG101") in _sites(result.findings)
    assert result.errors == () and result.stats["complete"] is True
