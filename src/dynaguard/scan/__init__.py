"""The static scanner: `scan(paths)` reads Python source (never runs it) and returns a Result.

Kept light on import: the engine, index and rules load on the first call, so a one-file
scan from a pre-commit hook starts fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dynaguard.core.config import Config
    from dynaguard.core.result import Result

__all__ = ["scan"]


def scan(
    paths: Sequence[Path],
    *,
    config: Config | None = None,
    jobs: int = 1,
    root: Path | None = None,
) -> Result:
    """Scan files/directories: select/ignore, severity overrides and inline suppressions applied.

    Finding paths are relative to `root` (default: the current directory when every path is
    under it). Unreadable, binary, huge and unparsable files, and code shapes the index does
    not understand, become `result.errors`; the scan never raises on its input.
    """
    from dynaguard.scan.engine import scan as _scan

    return _scan(paths, config=config, jobs=jobs, root=root)
