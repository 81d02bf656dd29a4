"""`dynaguard demo` on the command line: serve starts and stops, bad starts are one line."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from dynaguard.cli.main import main
from dynaguard.demo import runner
from dynaguard.demo.servers import AppServer, StartError, port_free
from tests.demo.conftest import children, dynamodb_threads


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) != "Z"


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 that something else is listening on."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


def _no_demo_left(before_children: set[int], before_threads: set[threading.Thread]) -> None:
    assert children() <= before_children
    # Another test's session-wide DynamoDB may run; none of this command's may remain.
    assert dynamodb_threads() <= before_threads


def test_serve_on_a_port_in_use_is_one_line(busy_port: int, capsys) -> None:
    before, threads = children(), dynamodb_threads()
    code = main(["demo", "serve", "vulnerable", "--port", str(busy_port), "--no-color"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == [
        f"dynaguard demo: error: cannot listen on 127.0.0.1:{busy_port}: Address already in use"
    ]
    _no_demo_left(before, threads)


def test_missing_dependency_is_one_line(monkeypatch, capsys) -> None:
    monkeypatch.setattr(runner, "REQUIRED", ("fastapi", "no_such_module_for_dynaguard"))
    code = main(["demo", "--no-color"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == [
        "dynaguard demo: error: the demo needs no_such_module_for_dynaguard, which is not "
        "installed; install with: python3 -m pip install 'dynaguard[demo]'"
    ]


def test_output_that_is_a_file_is_refused(tmp_path: Path, capsys) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["demo", "--output", str(target), "--no-color"]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_output_that_cannot_be_created_is_refused_before_starting(tmp_path: Path, capsys) -> None:
    # Given --output under a regular file (no directory can be made there)
    (tmp_path / "file").write_text("x")
    before, threads = children(), dynamodb_threads()
    # When the demo starts, Then one line names the directory, exit 2, nothing started
    assert main(["demo", "--output", str(tmp_path / "file" / "reports"), "--no-color"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"--output {tmp_path / 'file' / 'reports'}: cannot" in err[0], err
    _no_demo_left(before, threads)


def test_bad_port_is_refused(capsys) -> None:
    assert main(["demo", "serve", "hardened", "--port", "70000"]) == 2
    assert "not a port number" in capsys.readouterr().err


Spawn = Callable[..., "subprocess.Popen[str]"]


@pytest.fixture
def spawn() -> Iterator[Spawn]:
    """`spawn(*args)` runs `dynaguard demo ARGS` in a subprocess, always stopped at teardown."""
    procs: list[subprocess.Popen[str]] = []

    def start(*args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dynaguard", "demo", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "NO_COLOR": "1"},
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:  # a failed assertion must not leave a demo running
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if proc.stdout is not None:
            proc.stdout.close()


def _read_until(proc: subprocess.Popen[str], pattern: str, timeout: float = 60) -> list[str]:
    """Lines of output up to the first matching `pattern` (fails on exit or timeout)."""
    assert proc.stdout is not None
    lines: list[str] = []
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    try:
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if re.search(pattern, line):
                return lines
    finally:
        timer.cancel()
    raise AssertionError("exited before printing " + pattern + ":\n" + "\n".join(lines))


def _stop(proc: subprocess.Popen[str], sig: int = signal.SIGINT) -> tuple[int, set[int]]:
    """Signal the CLI (SIGINT: like Ctrl-C); return its exit code and the children it had."""
    kids = children(proc.pid)
    proc.send_signal(sig)
    try:
        code = proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    return code, kids


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_serve_starts_answers_and_stops(spawn: Spawn, sig: int) -> None:
    # Given `dynaguard demo serve hardened` on any free port
    proc = spawn("serve", "hardened", "--port", "0", "--no-color")
    lines = _read_until(proc, r"press Ctrl-C")
    url = next(m.group(1) for ln in lines if (m := re.match(r"hardened: (\S+)", ln)))
    token = next(ln.split(": ", 1)[1] for ln in lines if "token alice:" in ln)
    # When we use it over HTTP
    resp = httpx.get(f"{url}/notes", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert resp.status_code == 200 and len(resp.json()) == 1  # the seeded note
    # Then the signal stops it: exit 0, the app process gone, the port free
    code, kids = _stop(proc, sig)
    assert code == 0
    assert kids and not any(_alive(pid) for pid in kids)
    assert port_free(int(url.rsplit(":", 1)[1]))


def test_keep_running_prints_urls_tokens_and_curl_lines(spawn: Spawn, tmp_path: Path) -> None:
    proc = spawn("--keep-running", "--no-probe", "--output", str(tmp_path), "--no-color")
    lines = _read_until(proc, r"press Ctrl-C")
    urls = [m.group(1) for ln in lines if (m := re.match(r"(?:vulnerable|hardened): (\S+)", ln))]
    assert len(urls) == 2
    # The first app listed is the vulnerable one; its lines work as printed.
    after: dict[str, str] = {}
    for i, ln in enumerate(lines[:-1]):
        after.setdefault(ln.strip(), lines[i + 1].strip())
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed: the printed curl lines cannot be run")
    for title, expected in (
        ("log in:", '"access_token"'),
        ("bob reads alice's note:", "Alice's private note"),
    ):
        cmd = shlex.split(after[title])
        out = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=10)
        assert expected in out.stdout, (title, out.stdout)
    code, kids = _stop(proc)
    assert code == 0
    assert not any(_alive(pid) for pid in kids)
    assert all(port_free(int(u.rsplit(":", 1)[1])) for u in urls)
    assert (tmp_path / "vulnerable.static.json").is_file()


def test_a_failed_start_says_why_and_leaves_nothing() -> None:
    # Given an app configured with an endpoint that is not a URL
    before = children()
    server = AppServer("hardened", {"AWS_ENDPOINT_URL_DYNAMODB": "not a url"})
    # When it starts, Then one line says why, and no process or port is left behind
    with pytest.raises(StartError, match=r"the hardened app exited at start: .*not a url"):
        server.start(timeout=30)
    assert children() <= before
    assert port_free(server.port)


def test_app_processes_exit_when_the_cli_is_killed(spawn: Spawn) -> None:
    # Given a running `serve`, When the CLI is killed outright (no cleanup runs)
    proc = spawn("serve", "vulnerable", "--port", "0", "--no-color")
    _read_until(proc, r"press Ctrl-C")
    kids = children(proc.pid)
    assert kids
    proc.kill()
    proc.wait(timeout=10)
    # Then its app process notices and exits on its own within a few seconds
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in kids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in kids)


def test_ctrl_c_mid_demo_stops_everything_and_exits_130(spawn: Spawn, tmp_path: Path) -> None:
    # Given a plain `dynaguard demo` that has started its servers
    proc = spawn("--no-probe", "--output", str(tmp_path), "--no-color")
    _read_until(proc, r"seeding users")
    # When Ctrl-C arrives mid-run, Then it stops every server and says it was cut short
    code, kids = _stop(proc)
    assert code == 130
    assert kids and not any(_alive(pid) for pid in kids)
