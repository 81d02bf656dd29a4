"""Memory on large files: a file over the cap is skipped and reported, quickly and cheaply.

A syntax tree costs 110-190 times its source (bench/README.md), so the scanner reads at
most max_file_bytes (1 MiB unless [tool.dynaguard] says otherwise) of any one file.
"""

from __future__ import annotations

import json
from pathlib import Path

from dynaguard.scan import files
from tests.reliability.scan_support import VULNERABLE_LINE, bounded, dynaguard, project


def _big(path: Path, size: int) -> None:
    line = "x = [1, 2, 3]  # boto3 put_item(\n"
    path.write_text("import boto3\n" + line * (size // len(line)), encoding="utf-8")


def test_a_file_over_the_cap_is_skipped_within_bounded_memory(tmp_path: Path) -> None:
    # Given a 3 MB relevant file (a ~600 MB syntax tree) next to a vulnerable one
    app = project(tmp_path / "app")
    _big(app / "generated.py", 3_000_000)
    # When scanned in a process limited to 1 GiB of address space
    run = bounded("scan", ".", "--format", "json", cwd=app)
    # Then the big file is reported as skipped and the other file's finding is there
    assert run.code == 1, run.err
    doc = json.loads(run.out)
    assert [(f["path"], f["line"]) for f in doc["findings"]] == [("vuln.py", VULNERABLE_LINE)]
    assert doc["errors"] == [
        {
            "path": "generated.py",
            "message": f"skipped: file is larger than the limit of {files.MAX_BYTES} bytes; "
            "max_file_bytes in [tool.dynaguard] raises it",
        }
    ]


def test_the_cap_is_configurable_and_checked(tmp_path: Path) -> None:
    app = project(tmp_path / "app")
    (app / "pyproject.toml").write_text("[tool.dynaguard]\nmax_file_bytes = 100\n", "utf-8")
    run = dynaguard("scan", ".", "--format", "json", cwd=app)
    assert run.code == 0, run.err  # vuln.py itself is over 100 bytes now
    assert [e["path"] for e in json.loads(run.out)["errors"]] == ["vuln.py"]
    (app / "pyproject.toml").write_text("[tool.dynaguard]\nmax_file_bytes = -1\n", "utf-8")
    bad = dynaguard("scan", ".", cwd=app)
    assert bad.code == 2 and "max_file_bytes must be a whole number of bytes" in bad.err
    assert len(bad.err.splitlines()) == 1
