"""The pre-commit hook, run by the real pre-commit tool against this checkout.

Given a temporary git repository with one staged Python file, when `pre-commit try-repo`
runs the `dynaguard` hook of this checkout, then it fails on a file with a missing
ownership check and passes on its fixed twin. try-repo installs dynaguard from the
checkout into a fresh isolated environment on every run (its dependencies from PyPI,
through pip's cache): about 10-20 s a run here. PRE_COMMIT_HOME points into the test's
temporary directory so the user's own pre-commit cache is never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.integrations.conftest import ROOT, validate

VULNERABLE = """\
import boto3
import jwt
from fastapi import Depends, FastAPI, Header

app = FastAPI()
table = boto3.resource("dynamodb").Table("notes")


def current_user(authorization: str = Header()) -> str:
    return jwt.decode(authorization, "secret", algorithms=["HS256"])["sub"]


@app.get("/notes/{note_id}")
def read_note(note_id: str, user: str = Depends(current_user)):
    return table.get_item(Key={"id": note_id})["Item"]
"""
# The twin: the owner is part of the key, so the principal decides which item is read.
CLEAN = VULNERABLE.replace('Key={"id": note_id}', 'Key={"owner": user, "id": note_id}')


def test_hook_definition_is_valid() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    validate(hooks, "pre-commit-hooks.schema.json")
    assert [h["id"] for h in hooks] == ["dynaguard"]
    assert hooks[0]["types"] == ["python"] and hooks[0]["language"] == "python"


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One PRE_COMMIT_HOME per session, away from the user's (try-repo builds its own env)."""
    return tmp_path_factory.mktemp("pre-commit-home")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, timeout=60)


def _try_repo(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("PYTHONPATH", None)  # the hook must run the dynaguard it installed, nothing else
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "dynaguard", "--all-files"],
        check=False,
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize(
    ("source", "passes"), [(VULNERABLE, False), (CLEAN, True)], ids=["vulnerable", "clean"]
)
def test_try_repo(source: str, passes: bool, tmp_path: Path, pre_commit_home: Path) -> None:
    # Given a git repository with one staged file
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "notes.py").write_text(source, encoding="utf-8")
    _git(repo, "add", "notes.py")
    # When pre-commit runs this checkout's hook
    proc = _try_repo(repo, pre_commit_home)
    out = proc.stdout + proc.stderr
    # Then it fails with the finding on the vulnerable file and passes on the clean one
    if passes:
        assert proc.returncode == 0, out
        assert "DG103" not in out
    else:
        assert proc.returncode == 1, out
        assert "DG103" in out and "notes.py" in out
