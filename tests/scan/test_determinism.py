"""The same findings for any --jobs and any PYTHONHASHSEED (fresh interpreters)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCAN = (
    "import json, sys; from pathlib import Path; from dynaguard.scan import scan, rulepool; "
    "rulepool.MIN_WORK = 0; "  # the rule workers too, on a tree this small
    "r = scan([Path(sys.argv[1])], root=Path(sys.argv[1]), jobs=int(sys.argv[2])); "
    "print(json.dumps({'findings': [f.to_json() for f in r.findings], "
    "'errors': [e.to_json() for e in r.errors], 'workers': sys.argv[2]}))"
)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # two services built from the rule fixtures: enough files (> 64) for the worker pool
    root = tmp_path_factory.mktemp("det")
    for i in range(2):
        pkg = root / f"svc{i}"
        shutil.copytree(REPO / "tests/scan/fixtures", pkg, ignore=shutil.ignore_patterns("__py*"))
        (pkg / "__init__.py").write_text("", encoding="utf-8")
    assert sum(1 for _ in root.rglob("*.py")) > 64
    return root


def _run(tree: Path, jobs: int, seed: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run(
        [sys.executable, "-c", SCAN, str(tree), str(jobs)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=300,
    )
    out: dict[str, object] = json.loads(proc.stdout)
    return out


def test_findings_do_not_depend_on_workers_or_hash_seed(tree: Path) -> None:
    # Given one tree scanned with 1 and 2 workers under different hash seeds
    runs = [_run(tree, jobs, seed) for jobs, seed in ((1, "0"), (2, "1"), (1, "4242"))]
    first = runs[0]
    assert first["errors"] == [] and first["findings"]
    # Then every run reports the same findings, in the same order, with the same evidence
    for other in runs[1:]:
        assert other["findings"] == first["findings"], other["workers"]
