"""The engines the demo runs, each used only when it is installed: scan, probe, report.

Looked up at run time so the demo keeps working (and says what it skipped) while a
part is missing from a checkout.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import cast

from dynaguard.core.result import Result
from dynaguard.demo.stack import RunningApp

DEMO_DIR = Path(__file__).resolve().parent
# Shared by both apps (login, token checks, settings): scanned with each app's own package.
SHARED = ("auth.py", "settings.py")

ScanFn = Callable[..., Result]


class Unavailable(Exception):
    """An engine is not installed in this checkout; the message says which."""


def scan_paths(app: str) -> list[Path]:
    """What the static scan of one app reads: its package plus the shared modules."""
    return [DEMO_DIR / app, *(DEMO_DIR / name for name in SHARED)]


def scan_app(app: str) -> Result:
    """Static scan of one app's source; paths in findings are relative to the demo package."""
    try:
        module = importlib.import_module("dynaguard.scan")
        scan = cast(ScanFn, module.scan)
    except (ImportError, AttributeError):
        raise Unavailable("the static scanner (dynaguard.scan) is not installed") from None
    return scan(scan_paths(app), root=DEMO_DIR)


def probe_app(app: RunningApp, users: Sequence[str] = ("alice", "bob")) -> Result:
    """`probe --active` against a running app, as alice (owner) and bob (attacker)."""
    try:
        probe = importlib.import_module("dynaguard.probe")
        options_type, run, identity = probe.ProbeOptions, probe.run, probe.Identity
    except (ImportError, AttributeError):
        raise Unavailable("the prober (dynaguard.probe) is not installed") from None
    idents = tuple(identity(u, {"Authorization": f"Bearer {app.tokens[u]}"}) for u in users)
    return cast(Result, run(options_type(target=app.url, identities=idents, active=True)))


def render(result: Result, fmt: str) -> str:
    """A report in `json` or `sarif` through dynaguard.report (JSON contract as fallback)."""
    try:
        report = importlib.import_module("dynaguard.report")
    except ImportError:
        if fmt != "json":
            raise Unavailable("the reporters (dynaguard.report) are not installed") from None
        return json.dumps(result.to_json(), indent=2) + "\n"
    return cast(str, report.render(result, fmt))


def write_reports(results: dict[tuple[str, str], Result], output: Path) -> list[Path]:
    """Write `<app>.<engine>.json` and `.sarif` for every result; return the files written."""
    output.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for (app, engine), result in sorted(results.items()):
        for fmt, ext in (("json", "json"), ("sarif", "sarif")):
            try:
                text = render(result, fmt)
            except Unavailable:
                continue
            path = output / f"{app}.{engine}.{ext}"
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
            tmp.replace(path)  # a reader never sees half a report
            written.append(path)
    return written
