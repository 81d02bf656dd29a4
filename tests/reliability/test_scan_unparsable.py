"""An unparsable file the scan needed never lets a gate pass; one it would skip is reported.

Code written for a newer Python than the scanner's, a stray Latin-1 byte, an expression
too deep to parse: when that file mentions FastAPI or DynamoDB, or a module that does
imports it, its findings may be missing, so the run is incomplete (exit 2, never grade A).
A file the pre-filter would not index anyway (a Python 2 script) is only reported.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.reliability.scan_support import bounded

ROUTES = """import boto3
from fastapi import FastAPI
from helpers import normalise

app = FastAPI()
table = boto3.resource("dynamodb").Table("items")


@app.get("/items/{item_id}")
def read(item_id: str):
    return table.get_item(Key={"id": normalise(item_id)}).get("Item")
"""
NEWER_PYTHON = "import boto3\n\ntype Key = dict[str, str]\n\ndef f[T](x: T) -> T:\n    return x\n"
DEEP = "import boto3\n\nx = " + " + ".join(["1"] * 5000) + "\n"
LATIN1 = "import boto3\nname = '\xe9'\n".encode("latin-1")


def _run(app: Path) -> tuple[int, dict[str, object]]:
    run = bounded("scan", ".", "--no-cache", "--format", "json", cwd=app)
    return run.code, json.loads(run.out)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("syntax.py", "import boto3\ndef broken(:\n", "syntax error: invalid syntax"),
        ("deep.py", DEEP, "cannot parse: RecursionError"),
        ("latin1.py", LATIN1, "not UTF-8: invalid continuation byte at byte 21"),
    ],
)
def test_an_unparsable_dynamodb_module_leaves_the_run_incomplete(
    tmp_path: Path, name: str, content: str | bytes, message: str
) -> None:
    # Given a DynamoDB module the scanner cannot parse beside a clean route module
    app = tmp_path / "app"
    app.mkdir()
    (app / "routes.py").write_text(ROUTES, encoding="utf-8")
    (app / "helpers.py").write_text("def normalise(x):\n    return x.strip()\n", encoding="utf-8")
    data = content.encode("utf-8") if isinstance(content, str) else content
    (app / name).write_bytes(data)
    # When scanned
    code, doc = _run(app)
    # Then it is an analysis error, the run is incomplete, and the gate fails with exit 2
    assert [(e["path"], e["message"]) for e in doc["errors"]] == [(name, message)]  # type: ignore[union-attr,index]
    assert doc["stats"]["complete"] is False  # type: ignore[index]
    assert code == 2


def test_newer_python_than_the_scanners_is_not_a_clean_run(tmp_path: Path) -> None:
    # Given a module using syntax this interpreter may not have (PEP 695, Python 3.12)
    app = tmp_path / "app"
    app.mkdir()
    (app / "models.py").write_text(NEWER_PYTHON, encoding="utf-8")
    try:
        compile(NEWER_PYTHON, "models.py", "exec")
    except SyntaxError:
        # When this interpreter cannot parse it, Then the run is incomplete (exit 2)
        code, doc = _run(app)
        assert doc["stats"]["complete"] is False  # type: ignore[index]
        assert code == 2
    else:
        # When it can, Then the module is read like any other: a complete, clean run
        code, doc = _run(app)
        assert (doc["errors"], doc["stats"]["complete"], code) == ([], True, 0)  # type: ignore[index]


def test_an_unparsable_helper_a_route_imports_leaves_the_run_incomplete(tmp_path: Path) -> None:
    # Given a route module importing a helper (no DynamoDB in it) that does not parse
    app = tmp_path / "app"
    app.mkdir()
    (app / "routes.py").write_text(ROUTES, encoding="utf-8")
    (app / "helpers.py").write_text("def normalise(x)\n    return x.strip()\n", encoding="utf-8")
    # When scanned
    code, doc = _run(app)
    # Then the helper is one analysis error and the run is incomplete
    assert [(e["path"], e.get("line")) for e in doc["errors"]] == [("helpers.py", 1)]  # type: ignore[union-attr]
    assert doc["stats"]["complete"] is False  # type: ignore[index]
    assert code == 2


def test_an_unparsable_file_nothing_needs_is_only_reported(tmp_path: Path) -> None:
    # Given a Python 2 script beside the clean route module and its helper
    app = tmp_path / "app"
    app.mkdir()
    (app / "routes.py").write_text(ROUTES, encoding="utf-8")
    (app / "helpers.py").write_text("def normalise(x):\n    return x.strip()\n", encoding="utf-8")
    (app / "legacy.py").write_text('print "hello"\n', encoding="utf-8")
    # When scanned
    code, doc = _run(app)
    # Then it is reported, and the run is complete: the pre-filter would not index it
    assert [e["path"] for e in doc["errors"]] == ["legacy.py"]  # type: ignore[union-attr]
    assert doc["stats"]["complete"] is True  # type: ignore[index]
    assert code == 0
