"""`dynaguard scan` progress: a spinner on a terminal after about a second, nothing else.

Given stderr that is a terminal, when the work takes longer than the delay, then the
spinner with its text is drawn; a quick run, a pipe, CI or --quiet draw nothing.
"""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
import time

import pytest

from dynaguard.cli import scan_progress
from tests.integrations.conftest import ROOT


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def run_for(seconds: float, monkeypatch: pytest.MonkeyPatch, *, tty: bool = True) -> str:
    stream = Terminal() if tty else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    with scan_progress.progress("scanning app", quiet=False):
        time.sleep(seconds)
    return stream.getvalue()


def test_a_long_scan_on_a_terminal_shows_the_spinner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(scan_progress, "DELAY", 0.2)
    assert "scanning app" in run_for(0.8, monkeypatch)


@pytest.mark.parametrize(
    ("seconds", "tty", "ci"),
    [(0.0, True, None), (0.6, False, None), (0.6, True, "true")],
    ids=["quick", "pipe", "ci"],
)
def test_nothing_otherwise(
    seconds: float, tty: bool, ci: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scan_progress, "DELAY", 0.2)
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    assert run_for(seconds, monkeypatch, tty=tty) == ""


def test_quiet_draws_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    stream = Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    monkeypatch.setattr(scan_progress, "DELAY", 0.0)
    with scan_progress.progress("scanning app", quiet=True):
        time.sleep(0.2)
    assert stream.getvalue() == ""


def test_a_quick_scan_in_a_real_terminal_prints_only_the_report() -> None:
    # A real pseudo-terminal on stderr: a sub-second scan adds nothing to it.
    fixture = ROOT / "tests" / "scan" / "fixtures" / "DG103" / "bad.py"
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("CI", None)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "dynaguard", "scan", str(fixture)],
            check=False,
            stdout=subprocess.PIPE,
            stderr=follower,
            env=env,
            timeout=120,
        )
        os.close(follower)
        follower = -1
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the terminal's other end is closed
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)
    assert proc.returncode == 1
    assert b"DG103" in proc.stdout
    assert drawn == b""
