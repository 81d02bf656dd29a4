"""Progress lines while the demo works: rich on a terminal, plain text otherwise."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import TextIO


class Progress:
    """Prints one line per step and its duration; colour only on a terminal (NO_COLOR)."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        out: TextIO | None = None,
        color: bool | None = None,
    ) -> None:
        import os

        self.stream = stream or sys.stderr  # progress
        self.out = out or sys.stdout  # results: the summary, URLs and tokens
        tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.color = tty and "NO_COLOR" not in os.environ if color is None else color
        self._console: object | None = None
        if self.color:
            from rich.console import Console

            self._console = Console(file=self.stream, highlight=False)

    def line(self, text: str, style: str = "") -> None:
        """One line of output (rich markup is stripped when plain)."""
        if self._console is not None:
            from rich.console import Console

            assert isinstance(self._console, Console)
            self._console.print(f"[{style}]{text}[/{style}]" if style else text)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def say(self, text: str) -> None:
        """A result line, on the output stream (stdout by default)."""
        self.out.write(text + "\n")
        self.out.flush()

    @contextlib.contextmanager
    def step(self, what: str) -> Iterator[None]:
        """`with progress.step("scanning"):` prints `• scanning … ok (1.2 s)`."""
        started = time.monotonic()
        self.line(f"• {what} …", "cyan")
        yield
        self.line(f"  ok ({time.monotonic() - started:.1f} s)", "dim")
