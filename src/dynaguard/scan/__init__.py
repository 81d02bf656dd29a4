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
    cache: bool = False,
) -> Result:
    """Scan files/directories: select/ignore, severity overrides and inline suppressions applied.

    Finding paths are relative to `root` (default: the current directory when every path is
    under it). Unreadable, binary, huge and unparsable files, and code shapes the index does
    not understand, become `result.errors`; the scan never raises on its input. With
    `cache`, an unchanged tree's result comes from `.dynaguard_cache/` under the root.
    """
    from dynaguard.scan.engine import scan as _scan

    if not cache:
        return _scan(paths, config=config, jobs=jobs, root=root)
    from dynaguard.core.config import Config
    from dynaguard.scan.cache import cached
    from dynaguard.scan.engine import default_root, rule_metas

    config = config or Config()
    paths = [Path(p) for p in paths] or [Path(".")]
    root = root or default_root(paths)
    return cached(
        lambda: _scan(paths, config=config, jobs=jobs, root=root), paths, config, root, rule_metas
    )
