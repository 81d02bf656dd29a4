"""The pytest plugin as a user meets it: pytest run on a user's test file, in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

USER_TESTS = """
import os

import aioboto3
import boto3
import pytest

N = 20


def _create(name):
    boto3.client("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def test_settings_point_at_the_server(dynaguard_dynamodb):
    assert os.environ["AWS_ENDPOINT_URL_DYNAMODB"] == dynaguard_dynamodb.endpoint_url
    assert dynaguard_dynamodb.endpoint_url.startswith("http://127.0.0.1:")
    assert "AWS_PROFILE" not in os.environ  # a profile here would send boto3 elsewhere


def test_writes_a_table(dynaguard_dynamodb):
    _create("items")
    table = boto3.resource("dynamodb").Table("items")
    table.put_item(Item={"id": "a", "n": 1})
    assert table.get_item(Key={"id": "a"})["Item"] == {"id": "a", "n": 1}


def test_the_next_test_starts_empty(dynaguard_dynamodb):
    assert boto3.client("dynamodb").list_tables()["TableNames"] == []


@pytest.mark.asyncio
async def test_aioboto3_reaches_it_too(dynaguard_dynamodb):
    _create("items")
    async with aioboto3.Session().resource("dynamodb") as ddb:
        table = await ddb.Table("items")
        await table.put_item(Item={"id": "b"})
        assert (await table.get_item(Key={"id": "b"}))["Item"] == {"id": "b"}


@pytest.mark.parametrize("i", range(N))
def test_many_tests_each_alone(dynaguard_dynamodb, i):
    assert boto3.client("dynamodb").list_tables()["TableNames"] == []
    _create(f"t{i}")


def test_settings_are_restored_after_the_fixture():
    assert "AWS_ENDPOINT_URL_DYNAMODB" not in os.environ
    assert os.environ["AWS_PROFILE"] == "someone-elses"
"""


def _pytest(tmp_path: Path, tests: str, **env_vars: str) -> subprocess.CompletedProcess[str]:
    """Run pytest on `tests` with this plugin as the only dynaguard plugin."""
    (tmp_path / "test_user.py").write_text(tests, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_"))}
    env.update(PYTHONPATH=str(ROOT / "src"), **env_vars)
    # `no:dynaguard` blocks the entry point (when installed) so the module is loaded once.
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:dynaguard",
         "-p", "dynaguard.testing.plugin", "--junitxml=report.xml", "test_user.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert (tmp_path / "report.xml").exists(), proc.stdout + proc.stderr
    return proc


def _run_user_tests(tmp_path: Path) -> dict[str, str]:
    """Run USER_TESTS; test name -> outcome."""
    proc = _pytest(tmp_path, USER_TESTS, AWS_PROFILE="someone-elses")
    outcomes = {}
    for case in ET.parse(tmp_path / "report.xml").iter("testcase"):
        failed = case.find("failure") is not None or case.find("error") is not None
        outcomes[case.attrib["name"]] = "failed" if failed else "passed"
    assert proc.returncode == (1 if "failed" in outcomes.values() else 0), proc.stdout
    return outcomes


def test_user_tests_get_an_isolated_embedded_dynamodb(tmp_path: Path) -> None:
    # Given a user's test file using the fixture, When pytest runs it with the plugin
    outcomes = _run_user_tests(tmp_path)
    # Then every test passes: each saw only its own tables, and the settings came and went
    many = {f"test_many_tests_each_alone[{i}]": "passed" for i in range(20)}
    assert outcomes == {
        "test_settings_point_at_the_server": "passed",
        "test_writes_a_table": "passed",
        "test_the_next_test_starts_empty": "passed",
        "test_aioboto3_reaches_it_too": "passed",
        **many,
        "test_settings_are_restored_after_the_fixture": "passed",
    }


def test_a_server_that_cannot_start_is_one_clear_line(tmp_path: Path) -> None:
    # Given a setting that would make servers share state, When a test asks for the fixture
    proc = _pytest(tmp_path, "def test_x(dynaguard_dynamodb):\n    pass\n", MOTO_ACCOUNT_ID="1")
    # Then the test errors with the reason, and no traceback
    assert proc.returncode == 1
    assert "dynaguard_dynamodb: MOTO_ACCOUNT_ID is set; unset it" in proc.stdout
    assert "Traceback" not in proc.stdout
    assert "During handling" not in proc.stdout
    assert "1 error" in proc.stdout


def test_the_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    # Installed dynaguard loads the plugin with no `-p`: the entry point names this module.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    entry_points = project["project"]["entry-points"]["pytest11"]
    assert entry_points == {"dynaguard": "dynaguard.testing.plugin"}
