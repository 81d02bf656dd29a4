"""What the `dynaguard_dynamodb` pytest fixture costs per test, against the alternatives.

Not a test. Writes a user's test file and runs pytest on it in a subprocess, three ways,
the first two with each test creating a table and writing one item:

- `fixture`: the plugin's fixture (one server per session, its state dropped per test);
- `server per test`: a new EmbeddedDynamoDB started and stopped in every test;
- `fixture only` and `no DynamoDB`: empty tests with and without the fixture (what the
  fixture itself adds, and pytest's own cost per test).

    python3 bench/guard_compare_fixture.py [--tests 100]

The cost per test is the median time from one test's start to the next one's (pytest's own
work included); the first test is apart (it pays for starting the session's server).
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

TESTS = """
import time

import boto3
import pytest

from dynaguard.demo.embedded import EmbeddedDynamoDB, create_table

N = {n}


@pytest.fixture(autouse=True)
def stamp():
    # When each test's body starts: consecutive differences are the whole per-test cost.
    with open("stamps.txt", "a") as out:
        out.write(f"{{time.perf_counter()}}\\n")


def _work(client):
    create_table(client, "items", hash_key="id")
    client.put_item(TableName="items", Item={{"id": {{"S": "a"}}}})


@pytest.mark.parametrize("i", range(N))
def test_fixture(dynaguard_dynamodb, i):
    _work(boto3.client("dynamodb"))


@pytest.mark.parametrize("i", range(N))
def test_server_per_test(i):
    with EmbeddedDynamoDB() as server:
        _work(boto3.client("dynamodb", **server.client_kwargs()))


@pytest.mark.parametrize("i", range(N))
def test_fixture_only(dynaguard_dynamodb, i):
    pass


@pytest.mark.parametrize("i", range(N))
def test_no_dynamodb(i):
    pass
"""


def run(n: int) -> dict[str, tuple[float, float, float]]:
    """Per variant, seconds: the first test (from pytest's report), the median time from one
    test's start to the next one's, and the wall time of the pytest run."""
    out: dict[str, tuple[float, float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "test_cost.py").write_text(TESTS.format(n=n), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env["PYTHONPATH"] = str(SRC)
        for variant in ("fixture", "server_per_test", "fixture_only", "no_dynamodb"):
            report = Path(tmp, f"{variant}.xml")
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                 "-p", "no:dynaguard", "-p", "dynaguard.testing.plugin",
                 f"--junitxml={report}", f"test_cost.py::test_{variant}"],
                cwd=tmp, env=env, check=True, capture_output=True, timeout=600,
            )  # fmt: skip
            wall = time.perf_counter() - start
            first = float(next(ET.parse(report).iter("testcase")).attrib["time"])
            stamps = Path(tmp, "stamps.txt")
            marks = [float(line) for line in stamps.read_text().split()]
            stamps.unlink()
            gaps = [b - a for a, b in itertools.pairwise(marks)]
            out[variant] = (first, statistics.median(gaps), wall)
    return out


def main() -> None:
    """Parse arguments, run, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", type=int, default=100, help="tests per variant (2-1000)")
    args = parser.parse_args()
    if not 2 <= args.tests <= 1000:
        parser.error("--tests must be between 2 and 1000")
    print("| variant | first test ms | median per test ms | whole pytest run s |")
    print("|---|---|---|---|")
    for variant, (first, median, wall) in run(args.tests).items():
        name = variant.replace("_", " ")
        print(f"| {name} | {first * 1e3:.1f} | {median * 1e3:.2f} | {wall:.1f} |")


if __name__ == "__main__":
    main()
