"""S6: `--jobs N` finishes when a worker process dies, and --jobs is bounded.

The test plays the out-of-memory killer: it pauses the scan as soon as its workers exist
(SIGSTOP, so the pool cannot finish first), SIGKILLs one worker, lets the scan go on, and
expects the full report: the dead worker's files are read again, nothing hangs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability.scan_support import SRC, VULNERABLE, dynaguard

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="finds the workers through /proc (Linux)"
)
FILES = 600  # ten chunks of work: the pool is still busy when the scan is paused


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _project(root: Path) -> Path:
    root.mkdir()
    for i in range(FILES):
        text = VULNERABLE.replace("/users", f"/users{i}") if i % 100 == 0 else f"x = {i}\n"
        (root / f"m{i:04d}.py").write_text(text, encoding="utf-8")
    return root


def test_a_killed_worker_does_not_hang_the_scan_or_lose_files(tmp_path: Path) -> None:
    # Given a scan of 600 files with two worker processes
    app = _project(tmp_path / "app")
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(SRC)}
    argv = [sys.executable, "-m", "dynaguard", "scan", ".", "-j", "2", "--format", "json"]
    proc = subprocess.Popen(argv, cwd=app, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # When a worker is killed while the pool is busy
        deadline = time.monotonic() + 30
        while not (workers := _children(proc.pid)) and proc.poll() is None:
            assert time.monotonic() < deadline, "no worker process appeared"
            time.sleep(0.002)
        proc.send_signal(signal.SIGSTOP)
        workers = _children(proc.pid)
        assert workers, "the scan ended before its workers could be seen"
        os.kill(workers[0], signal.SIGKILL)
        proc.send_signal(signal.SIGCONT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    # Then the scan ends with every file read and every finding reported
    assert proc.returncode == 1, err
    doc = json.loads(out)
    assert sorted(f["path"] for f in doc["findings"]) == [
        f"m{i:04d}.py" for i in range(0, 600, 100)
    ]
    assert doc["errors"] == [] and doc["stats"]["files"] == FILES
    # And the user is told what happened
    assert b"a worker process died" in err


def test_jobs_is_bounded_and_checked(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    huge = dynaguard("scan", "a.py", "-j", "100000", cwd=tmp_path)
    assert huge.code == 0 and "--jobs 100000 capped at" in huge.err, huge.err
    for bad, why in (("-1", "0 (all cores) or more"), ("two", "a whole number")):
        run = dynaguard("scan", "a.py", "-j", bad, cwd=tmp_path)
        assert run.code == 2 and why in run.err and "Traceback" not in run.err


def _dies_on_7(n: int) -> int:
    if n == 7:
        os._exit(9)  # as the out-of-memory killer would end it: no exception, no cleanup
    return n * 2


def test_the_file_that_kills_its_worker_is_the_only_one_lost() -> None:
    from dynaguard.scan import workers

    # Given work where one item kills whichever worker process takes it
    results, note = workers.run(_dies_on_7, list(range(300)), 2, lost=lambda n: -n)
    # Then every other item is done, the culprit alone is lost, and the user is told
    assert results == [-7 if n == 7 else n * 2 for n in range(300)]
    assert note is not None and note.startswith("a worker process died")
