"""`dynaguard rules` and `dynaguard explain`: listing, JSON, pages, and unknown ids."""

from __future__ import annotations

import json

import pytest
from cli_helpers import CLI, python_env, registry_error, subprocess_cli

from dynaguard.cli.rules import suggest, table
from dynaguard.core.findings import Confidence, Severity
from dynaguard.core.registry import RuleMeta, all_rules


def _meta(rule_id: str, name: str) -> RuleMeta:
    return RuleMeta(
        id=rule_id,
        name=name,
        title=f"{name} title",
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        owasp_api="API1:2023" if rule_id != "DG108" else None,
        cwe="CWE-639",
        fix="fix it",
        doc="",
        module="tests",
    )


METAS = [
    _meta("DG101", "unconditional-write"),
    _meta("DG103", "missing-ownership-check"),
    _meta("DG108", "reserved-word"),
    _meta("DG113", "unvalidated-identifier"),
]


# The catalogue built so far (DESIGN.md); a rule module that stops registering fails here.
BUILT = [
    *(f"DG1{n:02d}" for n in (1, 2, 3, 4, 5, 6, 8, 11, 12, 16)),
    *(f"DG2{n:02d}" for n in range(1, 12)),
]


def test_registry_loads() -> None:
    # Every rule and probe module imports and registers (ids and names valid and unique).
    assert registry_error() is None
    ids = [r.meta.id for r in all_rules()]
    assert set(BUILT) <= set(ids), sorted(set(BUILT) - set(ids))


def test_suggest_closest_ids_and_names() -> None:
    assert suggest("DG13", METAS) == "; did you mean DG113, DG103, DG108?"
    assert suggest("reserved-words", METAS) == "; did you mean DG108?"
    assert suggest("zzz", METAS) == "; run `dynaguard rules` for the list"
    assert suggest("DG101", []) == " (no rules are registered)"


def test_table_aligns_columns() -> None:
    lines = table(METAS[:3]).splitlines()
    assert lines[0].split() == ["ID", "NAME", "SEVERITY", "OWASP", "TITLE"]
    assert lines[3].startswith("DG108  reserved-word            high      -          ")
    assert len({line.index("high") for line in lines[1:]}) == 1


def test_unknown_rule_is_one_line_exit_2(cli: CLI) -> None:
    run = cli("explain", "DG999")
    assert run.code == 2
    assert run.err.count("\n") == 1 and run.err.startswith("dynaguard explain: error: unknown rule")
    assert "Traceback" not in run.err


def test_bad_rules_flags_are_one_line(cli: CLI) -> None:
    for argv in (("rules", "--format", "xml"), ("rules", "--engine", "dynamic")):
        run = cli(*argv)
        assert run.code == 2 and run.err.count("\n") == 1, run.err


def test_rules_lists_every_registered_rule(cli: CLI) -> None:
    run = cli("rules")
    assert run.code == 0
    ids = [line.split()[0] for line in run.out.splitlines()[1:]]
    assert ids == [r.meta.id for r in all_rules()]


def test_rules_json(cli: CLI) -> None:
    run = cli("rules", "--format", "json")
    rows = json.loads(run.out)
    assert [r["id"] for r in rows] == [r.meta.id for r in all_rules()]
    assert set(rows[0]) == {
        "id",
        "name",
        "engine",
        "severity",
        "confidence",
        "owasp_api",
        "cwe",
        "title",
        "fix",
    }


@pytest.mark.parametrize(("engine", "prefix"), [("static", "DG1"), ("probe", "DG2")])
def test_rules_by_engine(cli: CLI, engine: str, prefix: str) -> None:
    rows = json.loads(cli("rules", "--format", "json", "--engine", engine).out)
    expected = [r.meta.id for r in all_rules() if r.meta.id.startswith(prefix)]
    assert [r["id"] for r in rows] == expected
    assert all(r["engine"] == engine for r in rows)


@pytest.mark.parametrize("how", ["id", "lower-id", "name"])
def test_explain_prints_the_page(cli: CLI, how: str) -> None:
    meta = all_rules()[0].meta
    token = {"id": meta.id, "lower-id": meta.id.lower(), "name": meta.name}[how]
    run = cli("explain", token)
    assert run.code == 0, run.err
    assert run.out.startswith(f"# {meta.id} {meta.name}: {meta.title}\n")
    assert "## Why is this bad?" in run.out and f"- fix: {meta.fix.strip()}\n\n" in run.out
    assert "\x1b[" not in run.out  # not a terminal: plain Markdown


def test_explain_suggests_close_ids_in_a_real_process() -> None:
    first = all_rules()[0].meta.id
    run = subprocess_cli("explain", first + "0")  # DG2010: never an id, close to DG201
    assert run.code == 2 and "Traceback" not in run.err
    assert run.err.count("\n") == 1 and "did you mean" in run.err


def _on_a_terminal(*argv: str, env: dict[str, str]) -> str:
    """Run dynaguard with stdout on a pseudo-terminal; return what it printed."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "dynaguard", *argv],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env=python_env({"COLUMNS": "100", **env}),
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_explain_is_rich_on_a_terminal_unless_no_color() -> None:
    rule = all_rules()[0].meta.id
    assert "\x1b[" in _on_a_terminal("explain", rule, env={"NO_COLOR": ""})
    assert "\x1b[" not in _on_a_terminal("explain", rule, env={"NO_COLOR": "1"})
    assert "\x1b[" not in _on_a_terminal("explain", rule, "--no-color", env={"NO_COLOR": ""})


def test_explain_ambiguous_name_asks_for_the_id(cli: CLI) -> None:
    run = cli("explain", "mass-assignment")
    assert run.code == 2 and "names DG105, DG204; give the id" in run.err
