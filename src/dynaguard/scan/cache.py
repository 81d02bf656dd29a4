"""A scan's result kept in `.dynaguard_cache/` and reused while none of its inputs changed.

The entry is found by a key over what decides the result apart from the files: the
dynaguard version and the size/mtime of its own scanner sources (an edited checkout is a new
engine), the configuration, the root and the paths. It lists every scanned file with its
size, mtime and content hash: a file whose size or mtime moved is hashed again, and any
difference (a file added, removed or changed) is a miss. Only clean runs are kept (no
errors: a worker that died or a file that could not be read is worth another try), and
none that read context modules from outside the paths, whose set the entry cannot check.
The cache is plain JSON, never pickle: a cache directory is not trusted to run code.
Any problem with the cache (unwritable, corrupt) costs a full scan, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from dynaguard import __version__
from dynaguard.core.config import Config
from dynaguard.core.fileio import read_capped
from dynaguard.core.findings import Confidence, EngineKind, Finding, Severity
from dynaguard.core.registry import RuleMeta
from dynaguard.core.result import Diagnostic, Result
from dynaguard.scan.files import MAX_BYTES, discover

CACHE_DIR = ".dynaguard_cache"
FORMAT = 1
Stamp = tuple[int, int, str]  # size, mtime_ns, sha256 of the bytes


def cached(
    run: Callable[[], Result],
    paths: Sequence[Path],
    config: Config,
    root: Path,
    rules: Callable[[], list[RuleMeta]],
) -> Result:
    """`run()`'s result, from the cache when every input is unchanged, else run and kept."""
    started = time.perf_counter()
    found = _inputs(paths, config, root)
    where = root / CACHE_DIR / f"scan-{_key(paths, config, root)}.json"
    old = _load(where)
    if old is not None and found is not None and _unchanged(old.get("inputs"), found, root):
        result = _result(old, rules(), time.perf_counter() - started)
        if result is not None:
            return result
    result = run()
    if found is not None and not result.errors and not result.stats.get("context"):
        stamps = {rel: _stamp(root / rel, None) for rel in found}
        _store(where, result, stamps)
    return result


def _key(paths: Sequence[Path], config: Config, root: Path) -> str:
    package = Path(__file__).parents[1]  # the scanner and the core it builds findings with
    build = sorted(
        (str(p.relative_to(package)), p.stat().st_size, p.stat().st_mtime_ns)
        for part in ("scan", "core")
        for p in (package / part).rglob("*.py")
    )
    text = repr((FORMAT, __version__, build, config, str(root), sorted(map(str, paths))))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:24]


def _inputs(paths: Sequence[Path], config: Config, root: Path) -> list[str] | None:
    """The files a scan reads, relative to root (None when discovery reports a problem)."""
    errors: list[Diagnostic] = []
    from dynaguard.scan.iac import SUFFIXES  # templates and policies are inputs too (DG118)

    found = [p for p in paths if p.exists()]
    listed = list(discover(found, config.exclude, root, errors, (".py", *SUFFIXES)))
    if errors or any(not p.exists() for p in paths):
        return None
    try:
        return [os.path.relpath(p, root) for p in listed]
    except ValueError:  # another drive (Windows): no cache
        return None


def _stamp(path: Path, old: Stamp | None) -> Stamp | None:
    """Size, mtime and hash of a regular file the scan would read (None: not cacheable)."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
            return None  # a FIFO would block, a huge file is skipped by the scan anyway
        if old is not None and (st.st_size, st.st_mtime_ns) == old[:2]:
            return old  # unchanged by size and mtime, as ruff and mypy judge
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
        return (st.st_size, st.st_mtime_ns, hashlib.sha256(data).hexdigest())
    except OSError:
        return None


def _unchanged(saved: object, found: list[str], root: Path) -> bool:
    if not isinstance(saved, dict) or sorted(saved) != sorted(found):
        return False
    for rel, value in saved.items():
        old = tuple(value) if isinstance(value, list) and len(value) == 3 else None
        now = _stamp(root / rel, old)
        if now is None or old is None or now[2] != old[2]:
            return False
    return True


# A cached result is findings and stamps as JSON; far larger means it is not ours.
CACHE_MAX_BYTES = 256 << 20


def _load(where: Path) -> dict[str, Any] | None:
    try:
        # bounded and regular files only: a FIFO or /dev/zero planted as the cache is a miss
        data = json.loads(read_capped(where, CACHE_MAX_BYTES).decode("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def _store(where: Path, result: Result, stamps: dict[str, Stamp | None]) -> None:
    if any(s is None for s in stamps.values()):
        return
    data = {
        "format": FORMAT,
        "inputs": stamps,
        "target": result.target,
        "findings": [f.to_json() for f in result.findings],
        "warnings": [{**w.to_json(), "kind": w.kind} for w in result.warnings],
        "rules": [m.id for m in result.rules],
        "stats": result.stats,
    }
    try:
        where.parent.mkdir(exist_ok=True)
        ignore = where.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# created by dynaguard\n*\n", encoding="utf-8")
        tmp = where.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, where)  # readers see the old entry or the new one, never half
        _prune(where.parent)
    except OSError:
        return


# One entry per (paths, config): a pre-commit hook scans a new set of files at each commit,
# so without a bound the directory would grow with every commit. Keep the newest ones.
MAX_ENTRIES = 16


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("scan-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[MAX_ENTRIES:]:
        old.unlink(missing_ok=True)


def _result(data: dict[str, Any], metas: list[RuleMeta], seconds: float) -> Result | None:
    by_id = {m.id: m for m in metas}
    try:
        findings = tuple(_finding(f) for f in data["findings"])
        warnings = tuple(
            Diagnostic(
                path=w["path"],
                message=w["message"],
                line=w.get("line"),
                kind=w.get("kind", "error"),
            )
            for w in data["warnings"]
        )
        rules = tuple(by_id[r] for r in data["rules"])
        stats = dict(data["stats"]) | {"cached": True, "seconds": round(seconds, 3)}
        return Result(
            tool_version=__version__,
            engine=EngineKind.STATIC,
            target=str(data["target"]),
            findings=findings,
            warnings=warnings,
            rules=rules,
            stats=stats,
        )
    except (KeyError, TypeError, ValueError):
        return None  # an entry from another engine: scan again


# Finding fields stored as they are in the JSON contract (enums aside)
_PLAIN: tuple[str, ...] = ("rule", "name", "title", "message", "fix", "fingerprint")
_PLAIN += ("owasp_api", "cwe", "path", "line", "column", "end_line", "route", "evidence")


def _finding(f: dict[str, Any]) -> Finding:
    return Finding(
        severity=Severity(f["severity"]),
        confidence=Confidence(f["confidence"]),
        **{k: f[k] for k in _PLAIN},
    )
