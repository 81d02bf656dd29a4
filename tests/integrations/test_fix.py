"""`dynaguard scan --fix` / `--diff` on the rule fixtures, and the fixed code run for real.

Given a copy of a rule's fixture, when `scan --fix` runs, then exactly the findings the
fixer can fix mechanically are gone, the others are still reported, and no finding is
new (fingerprints do not hash lines, so they survive the edits). For DG108 and DG116
(runtime failures) the code is also run against the embedded DynamoDB before and after:
it fails before, and does the right thing after.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from dynaguard.cli.main import main
from dynaguard.demo.embedded import CREDENTIALS, REGION, EmbeddedDynamoDB, create_table
from tests.integrations.conftest import ROOT

FIXTURES = ROOT / "tests" / "scan" / "fixtures"

# rule -> (lines the fix removes, lines it leaves, with why) in the fixture's bad.py
EXPECTED = {
    # left: constant, concat, f-string, join, join over a generator
    "DG108": ({14, 30, 40, 56}, {25, 46, 74, 86, 92}),
    "DG116": ({13, 20, 49, 67}, {21, 26, 33, 38, 43, 57, 73}),  # left: not a Table's call
    "DG112": ({17, 25, 34, 42, 51, 59, 68, 74, 88}, set()),
}


def scan_json(path: Path, *extra: str) -> dict[str, Any]:
    """`dynaguard scan PATH --format json` (every rule) as a dict."""
    out = path.parent / f"report-{uuid.uuid4().hex}.json"
    main(["scan", str(path), "--format", "json", "-o", str(out), "--fail-on", "none", *extra])
    doc: dict[str, Any] = json.loads(out.read_text("utf-8"))
    out.unlink()
    return doc


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_fix_removes_exactly_the_fixable_findings(rule: str, tmp_path: Path) -> None:
    # Given a copy of the fixture
    work = tmp_path / rule
    work.mkdir()
    target = work / "bad.py"
    shutil.copy(FIXTURES / rule / "bad.py", target)
    before = scan_json(target)
    fixable, left = EXPECTED[rule]
    mine = {f["line"]: f["fingerprint"] for f in before["findings"] if f["rule"] == rule}
    assert set(mine) == fixable | left
    # When scan --fix runs (its report is about what remains)
    out = tmp_path / "after.json"
    code = main(["scan", str(target), "--fix", "--format", "json", "-o", str(out),
                 "--fail-on", "none"])  # fmt: skip
    assert code == 0
    after = json.loads(out.read_text("utf-8"))
    # Then the fixed findings are gone, the rest remain, nothing is new
    gone = {mine[line] for line in fixable}
    assert {f["fingerprint"] for f in after["findings"]} == (
        {f["fingerprint"] for f in before["findings"]} - gone
    )
    assert after["errors"] == []
    # And a second --fix changes nothing
    text = target.read_text("utf-8")
    main(["scan", str(target), "--fix", "--format", "json", "-o", str(out), "--fail-on", "none"])
    assert target.read_text("utf-8") == text


def test_comments_and_layout_survive(tmp_path: Path) -> None:
    target = tmp_path / "bad.py"
    shutil.copy(FIXTURES / "DG108" / "bad.py", target)
    main(["scan", str(target), "--fix", "-q", "--fail-on", "none"])
    fixed = target.read_text("utf-8")
    assert fixed.count("# expect: DG108") == 9  # every comment kept
    assert '        UpdateExpression="SET #status = :s, updated_at = :now",\n' in fixed
    assert '        ExpressionAttributeNames={"#t": "title", "#data": "data"},\n' in fixed


def test_diff_prints_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(FIXTURES / "DG112" / "bad.py", tmp_path / "bad.py")
    original = (tmp_path / "bad.py").read_bytes()
    code = main(["scan", "bad.py", "--diff"])
    out = capsys.readouterr().out
    assert code == 1
    assert (tmp_path / "bad.py").read_bytes() == original
    assert out.startswith("--- a/bad.py\n+++ b/bad.py\n")
    assert "-        raise HTTPException(status_code=500, detail=str(e))  # expect: DG112" in out
    assert '+        logger.error("request failed (error id %s)", error_id, exc_info=e)' in out
    # nothing to fix: no diff, exit 0
    shutil.copy(FIXTURES / "DG112" / "good.py", tmp_path / "bad.py")
    assert main(["scan", "bad.py", "--diff", "--select", "DG112"]) == 0
    assert capsys.readouterr().out == ""


RUNTIME = """
import os

import boto3
from fastapi import FastAPI

app = FastAPI()
table = boto3.resource("dynamodb").Table(os.environ["FIX_TABLE"])
TABLE = os.environ["FIX_TABLE"]


@app.post("/orders/{order_id}/ship")
def ship(order_id: str):
    table.update_item(
        Key={"id": order_id},
        UpdateExpression="SET status = :s",
        ConditionExpression="attribute_exists(id)",
        ExpressionAttributeValues={":s": "shipped"},
    )


@app.get("/orders/{order_id}/summary")
def summary(order_id: str):
    return table.get_item(Key={"id": order_id}, ProjectionExpression="id, name, #q",
                          ExpressionAttributeNames={"#q": "qty"})["Item"]


@app.post("/orders/{order_id}/move")
def move(order_id: str, to: str):
    table.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": TABLE,
                    "Key": {"id": {"S": order_id}},
                    "UpdateExpression": "SET #loc = :to, qty = :n",
                    "ExpressionAttributeNames": {"#loc": "location"},
                    "ExpressionAttributeValues": {":to": {"S": to}, ":n": {"N": "7"}},
                }
            }
        ]
    )


@app.post("/orders/batch")
def batch():
    table.batch_write_item(
        RequestItems={TABLE: [{"PutRequest": {"Item": {"id": {"S": "b1"}, "qty": {"N": "2"}}}}]}
    )
"""


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"fixed_{uuid.uuid4().hex}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fixed_code_runs_against_dynamodb(
    dynamodb_server: EmbeddedDynamoDB, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a table and an app whose calls fail at run time (DG108 x2, DG116 x2)
    name = f"fix-{uuid.uuid4().hex[:8]}"
    session = boto3.Session(region_name=REGION, **CREDENTIALS)
    client = session.client("dynamodb", endpoint_url=dynamodb_server.endpoint_url)
    create_table(client, name, hash_key="id")
    client.get_waiter("table_exists").wait(TableName=name)
    monkeypatch.setenv("FIX_TABLE", name)
    items = session.resource("dynamodb", endpoint_url=dynamodb_server.endpoint_url).Table(name)
    items.put_item(Item={"id": "o1", "name": "Order 1", "qty": 1})
    app = tmp_path / "orders.py"
    app.write_text(RUNTIME, encoding="utf-8")
    broken = _load(app)
    with pytest.raises(ClientError, match="reserved keyword"):
        broken.ship("o1")
    with pytest.raises(ClientError, match="reserved keyword"):
        broken.summary("o1")
    with pytest.raises(AttributeError):
        broken.move("o1", "dock")
    with pytest.raises(AttributeError):
        broken.batch()
    found = {(f["rule"], f["line"]) for f in scan_json(app, "--select", "DG108,DG116")["findings"]}
    assert found == {("DG108", 14), ("DG108", 24), ("DG116", 30), ("DG116", 47)}
    # When the fixes are applied
    main(["scan", str(app), "--fix", "-q", "--fail-on", "none"])
    assert scan_json(app, "--select", "DG108,DG116")["findings"] == []
    fixed = _load(app)
    # Then every call works and writes what it meant to
    fixed.ship("o1")
    assert fixed.summary("o1") == {"id": "o1", "name": "Order 1", "qty": 1}
    fixed.move("o1", "dock")
    fixed.batch()
    stored = items.get_item(Key={"id": "o1"})["Item"]
    assert (stored["status"], stored["location"], stored["qty"]) == ("shipped", "dock", 7)
    assert items.get_item(Key={"id": "b1"})["Item"] == {"id": "b1", "qty": 2}
