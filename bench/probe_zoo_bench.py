"""Benchmark: `probe --active` on the demo's vulnerable app and on a 50-operation API.

Not a test. Run from the repository root:
    PYTHONPATH=src:. python3 bench/probe_zoo_bench.py [--no-schemathesis] [--max-examples N]
Starts the embedded DynamoDB and the demo stack (uvicorn on 127.0.0.1, seeded as the
demo does) and serves the zoo's 50-operation API (tests/probe/zoo/apps/wide.py) under
uvicorn on 127.0.0.1 too; probes each with alice and bob (the wide API's own signup and
login), then runs Schemathesis on the same two apps in the same run. Prints JSON and a
markdown table; exits 1 when a target is missed (demo: <= 10 s and <= 600 requests;
50-operation API: <= 30 s; a run that did not complete misses its target).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from probe_bench import schemathesis

from dynaguard.demo.runner import seed
from dynaguard.demo.stack import running_stack
from dynaguard.probe import Limits, ProbeOptions, parse_identity, run
from tests.probe.zoo.apps.common import PASSWORD

TARGETS = {"demo vulnerable": (10.0, 600), "wide (50 operations)": (30.0, None)}


@dataclass
class Served:
    """An app on 127.0.0.1 as probe_bench.schemathesis expects it: url and tokens."""

    url: str
    tokens: dict[str, str] = field(default_factory=dict)


# The wide API in its own process, as the demo apps are: the prober does not share its GIL.
CHILD = """
import sys, uvicorn
from tests.probe.zoo.apps import wide
app = wide.make_app().app
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", lifespan="off")
"""


@contextmanager
def serve_wide() -> Iterator[Served]:
    """The wide API under uvicorn on 127.0.0.1 (a free port), alice and bob signed up."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": f"{root / 'src'}{os.pathsep}{root}"}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(port)], env=env, cwd=root)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, trust_env=False, timeout=10) as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    client.get("/health")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or child.poll() is not None:
                        raise RuntimeError("the wide API did not start") from None
                    time.sleep(0.1)
            tokens = {}
            for user in ("alice", "bob"):
                creds = {"username": user, "password": PASSWORD}
                client.post("/signup", json=creds)
                tokens[user] = client.post("/login", json=creds).json()["access_token"]
        yield Served(url, tokens)
    finally:
        child.terminate()
        child.wait(timeout=10)


def probe(app: Served, budget: int | None) -> dict[str, object]:
    """One full --active probe: wall time, requests, findings, whether it completed."""
    idents = tuple(
        parse_identity(f"{u}=Authorization: Bearer {app.tokens[u]}") for u in ("alice", "bob")
    )
    started = time.monotonic()
    limits = Limits(budget=budget)
    result = run(ProbeOptions(target=app.url, identities=idents, active=True, limits=limits))
    return {
        "seconds": round(time.monotonic() - started, 2),
        "requests": result.stats["requests"],
        "complete": result.stats.get("complete"),
        "created": result.stats.get("objects_created"),
        "deleted": result.stats.get("objects_deleted"),
        "findings": sorted(f"{f.rule} {f.route}" for f in result.findings),
        "errors": [e.message for e in result.errors],
    }


def main() -> int:
    """Run both targets with both tools; print the figures; exit 1 on a missed target."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-schemathesis", action="store_true")
    parser.add_argument("--max-examples", type=int, default=10)
    parser.add_argument(
        "--wide-budget",
        type=int,
        default=None,
        help="request budget for the 50-operation API (default: the prober's own, scaled to it)",
    )
    args = parser.parse_args()
    figures: dict[str, dict[str, object] | None] = {}
    with running_stack(apps=("vulnerable",)) as stack:
        os.environ.update(stack.dynamodb.env())
        demo = stack.apps["vulnerable"]
        seed(demo)
        apps = {"demo vulnerable": Served(demo.url, demo.tokens)}
        with serve_wide() as served:
            apps["wide (50 operations)"] = served
            budgets = {"demo vulnerable": Limits().budget, "wide (50 operations)": args.wide_budget}
            for name, app in apps.items():
                figures[f"dynaguard {name}"] = probe(app, budgets[name])
            if not args.no_schemathesis:
                for name, app in apps.items():
                    figures[f"schemathesis {name}"] = schemathesis(app, args.max_examples)  # type: ignore[arg-type]
    print(json.dumps(figures, indent=2))
    ok = True
    print("\n| tool | app | wall time | requests | result |\n|---|---|---|---|---|")
    for key, fig in figures.items():
        if fig is None:
            continue
        tool, app = key.split(" ", 1)
        what = fig.get("findings", fig.get("failures"))
        done = "" if tool != "dynaguard" or fig["complete"] else " (incomplete)"
        print(f"| {tool} | {app} | {fig['seconds']} s{done} | {fig['requests']} | {what} |")
        if tool == "dynaguard":
            seconds, requests = TARGETS[app]
            ok &= float(str(fig["seconds"])) <= seconds
            ok &= requests is None or int(str(fig["requests"])) <= requests
            ok &= fig["complete"] is True
    print(f"\nwithin targets: {ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
