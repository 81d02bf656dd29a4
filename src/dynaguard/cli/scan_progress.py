"""Progress for `dynaguard scan`: a rich spinner with the elapsed time on a terminal.

Shown only when stderr is a terminal, not in CI (`CI` set) and not with --quiet, and
only once the scan has run for about a second: a quick scan prints nothing extra, a
pre-commit hook or a CI log gets no control characters. The static engine reports no
steps, so the display is the work under way and its time, not a percentage.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

DELAY = 1.0  # seconds before anything is shown


def wanted(*, quiet: bool) -> bool:
    """A progress display helps here: an interactive terminal, not CI, not --quiet."""
    return not quiet and sys.stderr.isatty() and not os.environ.get("CI")


@contextmanager
def progress(what: str, *, quiet: bool) -> Iterator[None]:
    """Show `what` with a spinner and the elapsed time while the block runs (after DELAY)."""
    if not wanted(quiet=quiet):
        yield
        return
    import threading

    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,  # the bar leaves no line behind; the report follows
    )
    bar.add_task(what, total=None)
    timer = threading.Timer(DELAY, bar.start)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        timer.join()
        bar.stop()  # harmless when it never started
