"""Demo app servers: one uvicorn subprocess per app, on 127.0.0.1, always cleaned up.

Subprocesses rather than threads: each app reads its settings (endpoint, tables,
secret) once at import, as real services do, so each needs a fresh interpreter.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

import httpx

HOST = "127.0.0.1"
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit)\b.*:")


class StartError(RuntimeError):
    """A demo server could not start; the message is one line for the user."""


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:port (0 = ephemeral); StartError when taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # As uvicorn does: connections of a stopped server in TIME_WAIT must not block a restart
    # on the same port, while a live listener still does (Linux semantics of SO_REUSEADDR).
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise StartError(f"cannot listen on {HOST}:{port}: {exc.strerror}") from None
    return sock


def port_free(port: int) -> bool:
    """Whether 127.0.0.1:port can be listened on right now (nothing else listens there)."""
    try:
        bind(port).close()
    except StartError:
        return False
    return True


class AppServer:
    """One demo app (vulnerable or hardened) under uvicorn in a child process."""

    def __init__(self, app: str, env: dict[str, str], port: int = 0) -> None:
        self.app = app
        self._env = env
        self._port = port
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: Path | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT`."""
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        return self._proc.pid if self._proc is not None else None

    def start(self, timeout: float = 30.0) -> AppServer:
        """Bind, spawn, and wait until /health answers; StartError (child stopped) if not."""
        sock = bind(self._port)
        self.port = sock.getsockname()[1]
        fd, log = tempfile.mkstemp(prefix=f"dynaguard-demo-{self.app}-", suffix=".log")
        self._log = Path(log)
        cmd = [sys.executable, "-m", "dynaguard.demo.child", self.app]
        cmd += ["--fd", str(sock.fileno()), "--parent", str(os.getpid())]
        try:
            self._proc = subprocess.Popen(
                cmd,
                env={**os.environ, **self._env},
                pass_fds=(sock.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=fd,
                stderr=subprocess.STDOUT,
            )
        finally:
            os.close(fd)
            sock.close()  # the child holds its own copy of the listening socket
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2.0, trust_env=False) as client:
            while time.monotonic() < deadline:
                if self._proc is not None and self._proc.poll() is not None:
                    raise StartError(f"the {self.app} app exited at start: {self._last_log_line()}")
                try:
                    if client.get(f"{self.url}/health").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        raise StartError(f"the {self.app} app did not answer within {timeout:.0f}s")

    def _last_log_line(self) -> str:
        text = self._log.read_text(errors="replace") if self._log else ""
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        # The exception line says why ("ValueError: Invalid endpoint..."); uvicorn's last
        # line only says that startup failed.
        errors = [ln for ln in lines if _EXCEPTION_LINE.match(ln)]
        return (errors or lines or ["no output"])[-1]

    def stop(self) -> None:
        """Terminate the child (kill after 5 s) and remove its log; safe to call twice."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if self._log is not None:
            self._log.unlink(missing_ok=True)
            self._log = None

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
