"""S1-S3: only regular files are read, every read is bounded, nothing hangs.

A FIFO named x.py and a .py symlink to /dev/zero inside the scanned directory are reported
and skipped while the real finding next to them is still found; --config and --baseline
given a FIFO or /dev/zero stop the run with one line (exit 2). Every run is a subprocess
with a timeout and a 1 GiB memory limit (scan_support.bounded), so a regression fails
instead of hanging or swapping.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.reliability.scan_support import VULNERABLE_LINE, bounded, one_line_error, project

pytestmark = pytest.mark.skipif(
    not (hasattr(os, "mkfifo") and os.path.exists("/dev/zero")), reason="needs FIFOs, /dev/zero"
)


def test_fifo_and_dev_zero_in_a_scanned_directory_are_skipped(tmp_path: Path) -> None:
    # Given a project whose x.py is a FIFO nobody writes to and y.py a link to /dev/zero
    app = project(tmp_path / "app")
    os.mkfifo(app / "x.py")
    (app / "y.py").symlink_to("/dev/zero")
    # When it is scanned
    run = bounded("scan", ".", "--format", "json", cwd=app)
    # Then both are reported as skipped, and the real finding is still there
    assert run.code == 1, run.err
    doc = json.loads(run.out)
    assert [(f["rule"], f["path"], f["line"]) for f in doc["findings"]] == [
        ("DG101", "vuln.py", VULNERABLE_LINE)
    ]
    assert {e["path"]: e["message"] for e in doc["errors"]} == {
        "x.py": "skipped: file is a FIFO, not a regular file",
        "y.py": "skipped: file is a character device, not a regular file",
    }


@pytest.mark.parametrize("flag", ["--config", "--baseline"])
@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_config_and_baseline_that_are_not_files_stop_the_run(
    tmp_path: Path, flag: str, kind: str
) -> None:
    app = project(tmp_path / "app")
    source = app / "input"
    if kind == "fifo":
        os.mkfifo(source)
    else:
        source.symlink_to("/dev/zero")
    run = bounded("scan", "vuln.py", flag, str(source), cwd=app)
    described = "a FIFO" if kind == "fifo" else "a character device"
    assert f"is {described}, not a regular file" in one_line_error(run)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_report_inputs_that_are_not_files_stop_the_run(tmp_path: Path, kind: str) -> None:
    source = tmp_path / "scan.json"
    if kind == "fifo":
        os.mkfifo(source)
    else:
        source.symlink_to("/dev/zero")
    run = bounded("report", str(source), str(source), cwd=tmp_path)
    described = "a FIFO" if kind == "fifo" else "a character device"
    assert f"is {described}, not a regular file" in one_line_error(run, "report")
