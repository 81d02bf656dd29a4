"""The README's Python examples are real: they compile, their imports resolve, and they run.

A block whose first line is `# file: NAME.py` is a file of the tutorial's project: the test
writes all of them to a directory and runs pytest there, as a user would, with the dynaguard
plugin and nothing else from this repository; every test in them must pass. Any other
block (a fragment, such as the vulnerable "before" code) must compile, and every import in
it must resolve.
"""

from __future__ import annotations

import ast
import importlib
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
FILE = re.compile(r"\A# file: ([\w/]+\.py)\n")
# Packages that stand for the reader's own code in examples (`from myservice.main import app`).
PLACEHOLDERS = frozenset({"myservice"})


def _blocks() -> list[str]:
    return FENCE.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def _files() -> dict[str, str]:
    return {m.group(1): b for b in _blocks() if (m := FILE.match(b))}


def _fragments() -> list[str]:
    return [b for b in _blocks() if not FILE.match(b)]


@pytest.mark.parametrize("block", _fragments(), ids=lambda b: b.splitlines()[0][:40])
def test_fragments_compile_and_import(block: str) -> None:
    tree = ast.parse(block)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".", maxsplit=1)[0] in PLACEHOLDERS:
                continue
            module = importlib.import_module(node.module)
            missing = [a.name for a in node.names if not hasattr(module, a.name)]
            if missing:  # maybe submodules: `from pkg import sub`
                missing = [n for n in missing if not _is_module(f"{node.module}.{n}")]
            assert missing == [], f"from {node.module} import {missing}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".", maxsplit=1)[0] not in PLACEHOLDERS:
                    importlib.import_module(alias.name)


def _is_module(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def test_the_tutorial_project_passes_its_own_tests(tmp_path: Path) -> None:
    # Given the README's files written out as a project
    files = _files()
    tests = sorted(name for name in files if Path(name).name.startswith("test_"))
    assert tests, "the README has no `# file: test_*.py` block"
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    # When pytest runs there with only the dynaguard plugin (no AWS settings of ours)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(ROOT / "src")])
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:dynaguard",
         "-p", "dynaguard.testing.plugin", "--junitxml=report.xml",
         *tests],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    # Then every test of every test file ran and passed
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    ran: dict[str, int] = {}
    for case in ET.parse(tmp_path / "report.xml").iter("testcase"):
        module = case.attrib["classname"].split(".")[0]
        ran[module] = ran.get(module, 0) + 1
    assert sorted(ran) == sorted(Path(t).stem for t in tests)
