"""S4: `-o FILE` and `--write-baseline FILE` never replace what the path names with a new file.

A regular file or a new path is written atomically; a symlink is followed (the link stays);
a character device or a FIFO with a reader is written through; a FIFO nobody reads, a
socket, a directory are refused with one line and exit 2. Never a hang.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
from pathlib import Path

import pytest

from dynaguard.core.fileio import OutputError, write_text
from tests.reliability.scan_support import dynaguard, one_line_error, project

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")


@pytest.fixture
def app(tmp_path: Path) -> Path:
    return project(tmp_path / "app")


def _findings(text: str) -> list[tuple[str, int]]:
    return [(f["rule"], f["line"]) for f in json.loads(text)["findings"]]


@pytest.mark.parametrize("flag", ["-o", "--write-baseline"])
def test_a_regular_file_is_replaced_atomically_and_keeps_its_mode(app: Path, flag: str) -> None:
    target = app.parent / "out.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    run = dynaguard("scan", "vuln.py", "--format", "json", flag, str(target), cwd=app)
    assert run.code == (1 if flag == "-o" else 0), run.err
    doc = json.loads(target.read_text("utf-8"))
    assert doc["findings"][0]["rule"] == "DG101"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in app.parent.iterdir()) == ["app", "out.json"]  # no temp left


@pytest.mark.parametrize("flag", ["-o", "--write-baseline"])
def test_a_symlink_stays_a_link_and_its_target_is_written(app: Path, flag: str) -> None:
    real = app.parent / "real.json"
    real.write_text("old", encoding="utf-8")
    link = app.parent / "link.json"
    link.symlink_to(real)
    dangling = app.parent / "dangling.json"
    dangling.symlink_to(app.parent / "created.json")
    for name in (link, dangling):
        run = dynaguard("scan", "vuln.py", "--format", "json", flag, str(name), cwd=app)
        assert run.code in (0, 1), run.err
        assert name.is_symlink()
    assert json.loads(real.read_text("utf-8"))["findings"][0]["rule"] == "DG101"
    assert json.loads((app.parent / "created.json").read_text("utf-8"))["findings"]


@pytest.mark.parametrize("flag", ["-o", "--write-baseline"])
def test_a_fifo_nobody_reads_is_refused_not_waited_on(app: Path, flag: str) -> None:
    fifo = app.parent / "pipe"
    os.mkfifo(fifo)
    run = dynaguard("scan", "vuln.py", flag, str(fifo), cwd=app, timeout=30)
    assert "a FIFO that nobody is reading" in one_line_error(run)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_fifo_with_a_reader_receives_the_report(app: Path) -> None:
    fifo = app.parent / "pipe"
    os.mkfifo(fifo)
    with _reading(fifo) as received:
        run = dynaguard("scan", "vuln.py", "--format", "json", "-o", str(fifo), cwd=app)
    assert run.code == 1, run.err
    assert _findings(received[0]) == [("DG101", 10)]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
@pytest.mark.parametrize("flag", ["-o", "--write-baseline"])
def test_dev_null_directly_or_through_a_link_stays_a_device(app: Path, flag: str) -> None:
    before = os.stat("/dev/null")
    link = app.parent / "null-link"
    link.symlink_to("/dev/null")
    for name in ("/dev/null", str(link)):
        run = dynaguard("scan", "vuln.py", flag, name, cwd=app)
        assert run.code == (1 if flag == "-o" else 0), run.err
        after = os.stat("/dev/null")
        assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
        assert after.st_ino == before.st_ino
    assert link.is_symlink()


def test_a_socket_is_refused_by_scan_and_probe_before_any_work(app: Path) -> None:
    path = app.parent / "s.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        scan = dynaguard("scan", "vuln.py", "-o", str(path), cwd=app)
        assert "s.sock is a socket" in one_line_error(scan)
        # no target is contacted: the output is checked with the other flags
        probe = dynaguard("probe", "http://127.0.0.1:9", "-o", str(path), cwd=app)
        assert "s.sock is a socket" in one_line_error(probe, "probe")
    assert not path.exists() or stat.S_ISSOCK(path.lstat().st_mode)


def test_the_writer_never_raises_on_unencodable_text(tmp_path: Path) -> None:
    # a report naming a file whose name is not UTF-8 holds a lone surrogate
    target = tmp_path / "r.txt"
    write_text(target, "bad\udcffname.py\n")
    assert target.read_text("utf-8") == "bad\\udcffname.py\n"
    with pytest.raises(OutputError, match="is a directory"):
        write_text(tmp_path, "x")


class _reading:
    """A thread that opens `fifo` for reading and collects everything written to it."""

    def __init__(self, fifo: Path) -> None:
        self.fifo = fifo
        self.received: list[str] = []
        self.thread = threading.Thread(target=self._read, daemon=True)

    def _read(self) -> None:
        with open(self.fifo, encoding="utf-8") as f:
            self.received.append(f.read())

    def __enter__(self) -> list[str]:
        self.thread.start()
        return self.received

    def __exit__(self, *exc: object) -> None:
        self.thread.join(timeout=0.5)
        if self.thread.is_alive():  # nothing was written: release the reader's open()
            os.close(os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK))
        self.thread.join(timeout=30)
        assert not self.thread.is_alive()


def test_fix_writes_a_symlinked_source_through_its_link(tmp_path: Path) -> None:
    from dynaguard.cli.main import main

    # Given a source file reached through a symlink, with its own permissions
    fixture = Path(__file__).parents[1] / "scan" / "fixtures" / "DG108" / "bad.py"
    real = tmp_path / "real.py"
    real.write_text(fixture.read_text("utf-8"), encoding="utf-8")
    real.chmod(0o640)
    app = tmp_path / "app"
    app.mkdir()
    (app / "bad.py").symlink_to(real)
    before = real.read_text("utf-8")
    # When scan --fix rewrites it
    main(["scan", str(app / "bad.py"), "--fix", "-q", "--fail-on", "none"])
    # Then the target holds the fix, the link is still a link, the mode is kept
    assert (app / "bad.py").is_symlink() and real.read_text("utf-8") != before
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
