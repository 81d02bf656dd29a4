"""Findings per rule on bench/rules_corpus/: services written the way FastAPI + DynamoDB
services are written (repositories, PynamoDB, aioboto3, API keys, Cognito, SAM, Terraform).

    python3 bench/rules_bench.py            # a table of findings per rule and service
    python3 bench/rules_bench.py --list     # every finding, to triage by hand

The triage (which findings are false positives) is recorded in bench/README.md; this
script only counts, so a changed count says the triage needs another look.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from dynaguard.scan import scan

CORPUS = Path(__file__).parent / "rules_corpus"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print every finding")
    args = parser.parse_args()
    services = sorted(p for p in CORPUS.iterdir() if p.is_dir())
    counts: dict[str, Counter[str]] = {}
    lines = 0
    started = time.perf_counter()
    for svc in services:
        result = scan([svc], root=svc)
        for e in result.errors:
            print(f"error {svc.name}/{e.path}: {e.message}")
        lines += int(str(result.stats["lines"]))
        counts[svc.name] = Counter(f.rule for f in result.findings)
        for f in sorted(result.findings, key=lambda f: (f.path or "", f.line or 0, f.rule)):
            if args.list:
                print(f"{svc.name}/{f.path}:{f.line} {f.rule} {f.severity.value} {f.route or ''}")
    rules = sorted({r for c in counts.values() for r in c})
    print(f"{len(services)} services, {lines} Python lines, {time.perf_counter() - started:.2f} s")
    print("| rule | " + " | ".join(s.name for s in services) + " | total |")
    print("|---" * (len(services) + 2) + "|")
    for rule in rules:
        row = [str(counts[s.name][rule]) for s in services]
        total = sum(counts[s.name][rule] for s in services)
        print(f"| {rule} | " + " | ".join(row) + f" | {total} |")


if __name__ == "__main__":
    main()
