"""The scanner finishes on the whole installed site-packages: no traceback, errors reported."""

from __future__ import annotations

import sysconfig
from pathlib import Path

from dynaguard.scan import scan


def test_whole_site_packages_without_a_traceback() -> None:
    # Given the installed third-party code: millions of lines nobody wrote for dynaguard
    site = Path(sysconfig.get_paths()["purelib"])
    # When it is scanned with two processes (about 15 s here)
    result = scan([site], root=site, jobs=2)
    # Then the scan completes, reading most of it, and every problem is a reported error
    assert int(str(result.stats["lines"])) > 1_000_000
    assert int(str(result.stats["parsed"])) > 100
    for error in result.errors:
        assert error.path and error.message
        assert error.kind in ("error", "unknown-shape")
    assert all(f.path and f.line for f in result.findings)
