"""Benchmark: `probe --active` of the demo's apps, beside Schemathesis on the same app.

Not a test. Run:  python3 bench/probe_bench.py [--no-schemathesis] [--max-examples N]
Starts the embedded DynamoDB and both demo apps (uvicorn on 127.0.0.1), seeds them as the
demo does, probes each with alice (owner) and bob (attacker), then runs Schemathesis
(optional: `pip install schemathesis`) against the vulnerable app with alice's token and
counts its requests from its HAR report. Prints a markdown table for bench/probe.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dynaguard.demo.runner import seed
from dynaguard.demo.stack import RunningApp, running_stack
from dynaguard.probe import Identity, ProbeOptions, run

BOUND_SECONDS = 10.0
BOUND_REQUESTS = 600


def probe(app: RunningApp) -> dict[str, object]:
    """One full --active probe; wall time, requests, findings."""
    idents = tuple(
        Identity(u, {"Authorization": f"Bearer {app.tokens[u]}"}) for u in ("alice", "bob")
    )
    started = time.monotonic()
    result = run(ProbeOptions(target=app.url, identities=idents, active=True))
    seconds = time.monotonic() - started
    return {
        "seconds": round(seconds, 2),
        "requests": result.stats["requests"],
        "methods": result.stats["methods"],
        "findings": sorted(f"{f.rule} {f.route}" for f in result.findings),
        "classes": sorted({f.rule for f in result.findings}),
        "errors": [e.message for e in result.errors],
    }


def schemathesis(app: RunningApp, max_examples: int) -> dict[str, object] | None:
    """Schemathesis `run` with every check, alice's token; None when it is not installed."""
    exe = shutil.which("schemathesis") or shutil.which("st")
    if exe is None:
        return None
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    with tempfile.TemporaryDirectory() as tmp:
        har = Path(tmp) / "run.har"
        cmd = [
            exe,
            "run",
            f"{app.url}/openapi.json",
            "-H",
            f"Authorization: Bearer {app.tokens['alice']}",
            "--checks",
            "all",
            "--max-examples",
            str(max_examples),
            "--seed",
            "1",
            "--workers",
            "1",
            "--request-timeout",
            "5",
            "--report",
            "har",
            "--report-har-path",
            str(har),
        ]
        started = time.monotonic()
        # cwd in the temporary directory: Schemathesis keeps a crash cache (.schemathesis/)
        # in its cwd and replays it next time; each benchmark run starts clean.
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=900, check=False, cwd=tmp
        )
        seconds = time.monotonic() - started
        entries = json.loads(har.read_text())["log"]["entries"] if har.exists() else []
    return {
        "version": version.stdout.strip(),
        "seconds": round(seconds, 2),
        "requests": len(entries),
        "exit": proc.returncode,
        "summary": [ln for ln in proc.stdout.splitlines() if "failure" in ln.lower()][-2:],
        "failures": _failures(proc.stdout),
    }


def _failures(stdout: str) -> dict[str, list[str]]:
    """Schemathesis' failures as {check: [operations]}, from its `__ METHOD /path __` blocks."""
    out: dict[str, set[str]] = {}
    operation = "?"
    for raw in stdout.splitlines():
        line = raw.strip()
        if line.startswith("___") and line.endswith("___"):
            operation = line.strip("_ ")
        elif line.startswith("- ST"):
            out.setdefault(line[2:], set()).add(operation)
    return {k: sorted(v) for k, v in sorted(out.items())}


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-schemathesis", action="store_true")
    parser.add_argument("--max-examples", type=int, default=10)
    args = parser.parse_args()
    figures: dict[str, object] = {}
    with running_stack() as stack:
        for app in stack.apps.values():
            seed(app)
        for name, app in stack.apps.items():
            figures[f"dynaguard {name}"] = probe(app)
        if not args.no_schemathesis:
            for name, app in stack.apps.items():
                figures[f"schemathesis {name}"] = schemathesis(app, args.max_examples)
    print(json.dumps(figures, indent=2))
    vuln = figures["dynaguard vulnerable"]
    assert isinstance(vuln, dict)
    ok = (
        float(str(vuln["seconds"])) <= BOUND_SECONDS
        and int(str(vuln["requests"])) <= BOUND_REQUESTS
    )
    print(f"within bounds (<= {BOUND_SECONDS} s, <= {BOUND_REQUESTS} requests): {ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
