"""Recall and precision of the static rules on the held-out corpus (issue 11).

The corpus (bench/heldout_corpus/) and its LABELS.json were written before the
scanner was run on it, by a helper who had not read the rules' code. This script
scans it, matches findings to labels by (file, rule, line within +-2 of the label's
line or of one of its "also" lines), and prints per rule: labelled, found, true
positives, false positives, recall and precision.

    python3 bench/heldout_bench.py           # the table
    python3 bench/heldout_bench.py --list    # and every unmatched finding and missed label
    python3 bench/heldout_bench.py --json    # the figures as JSON
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "bench" / "heldout_corpus"
TOLERANCE = 2


@dataclass
class Label:
    file: str
    line: int
    rule: str
    why: str
    places: list[tuple[str, int]] = field(default_factory=list)

    def matches(self, rule: str, file: str, line: int) -> bool:
        return rule == self.rule and any(
            f == file and abs(n - line) <= TOLERANCE for f, n in self.places
        )


def load_labels(path: Path) -> list[Label]:
    labels = []
    for raw in json.loads(path.read_text()):
        lab = Label(raw["file"], int(raw["line"]), raw["rule"], raw.get("why", ""))
        lab.places = [(lab.file, lab.line)] + [
            (a["file"], int(a["line"])) for a in raw.get("also", [])
        ]
        labels.append(lab)
    return labels


def relative(path: str, corpus: Path = CORPUS) -> str:
    p = Path(path)
    if not p.is_absolute():
        for base in (ROOT, corpus, Path.cwd()):
            if (base / p).exists():
                p = base / p
                break
    try:
        return p.resolve().relative_to(corpus.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def scan(corpus: Path) -> dict[str, Any]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [
        sys.executable,
        "-m",
        "dynaguard",
        "scan",
        str(corpus),
        "--format",
        "json",
        "--fail-on",
        "none",
        "--no-cache",
    ]
    proc = subprocess.run(cmd, check=False, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.exit(f"scan failed (exit {proc.returncode}):\n{proc.stderr}")
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


def evaluate(
    labels: list[Label], findings: list[dict[str, Any]], corpus: Path = CORPUS
) -> dict[str, Any]:
    # one finding per (file, rule, line): several routes reaching one call are one site
    sites = sorted({(f["rule"], relative(f["path"], corpus), int(f["line"])) for f in findings})
    used: set[int] = set()
    matched_sites: set[tuple[str, str, int]] = set()
    # closest first, so a finding two lines away does not take a label's exact neighbour
    pairs = []
    for si, (rule, file, line) in enumerate(sites):
        for li, lab in enumerate(labels):
            if lab.matches(rule, file, line):
                dist = min(abs(n - line) for f, n in lab.places if f == file)
                pairs.append((dist, li, si))
    taken_sites: set[int] = set()
    for _, li, si in sorted(pairs):
        if li in used or si in taken_sites:
            continue
        used.add(li)
        taken_sites.add(si)
        matched_sites.add(sites[si])
    # a second finding at another place of the same label (e.g. the wrapper and its
    # caller) is neither a new true positive nor a false one
    duplicates = {
        s
        for si, s in enumerate(sites)
        if si not in taken_sites and any(labels[li].matches(s[0], s[1], s[2]) for li in used)
    }
    rules = sorted({lab.rule for lab in labels} | {s[0] for s in sites})
    table = []
    for rule in rules:
        n_lab = sum(1 for lab in labels if lab.rule == rule)
        tp = sum(1 for li in used if labels[li].rule == rule)
        found = sum(1 for s in sites if s[0] == rule and s not in duplicates)
        fp = found - tp
        table.append(
            {
                "rule": rule,
                "labelled": n_lab,
                "found": found,
                "tp": tp,
                "fp": fp,
                "recall": tp / n_lab if n_lab else None,
                "precision": tp / found if found else None,
            }
        )
    tot_lab = len(labels)
    tot_tp = len(used)
    tot_found = len(sites) - len(duplicates)
    totals = {
        "labelled": tot_lab,
        "found": tot_found,
        "tp": tot_tp,
        "fp": tot_found - tot_tp,
        "recall": tot_tp / tot_lab if tot_lab else None,
        "precision": tot_tp / tot_found if tot_found else None,
    }
    unmatched = [s for si, s in enumerate(sites) if si not in taken_sites and s not in duplicates]
    missed = [labels[li] for li in range(len(labels)) if li not in used]
    return {
        "table": table,
        "totals": totals,
        "duplicates": sorted(duplicates),
        "unmatched": unmatched,
        "missed": missed,
    }


def fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--list", action="store_true", help="print unmatched findings and missed labels"
    )
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    args = ap.parse_args()

    labels = load_labels(args.corpus / "LABELS.json")
    report = scan(args.corpus)
    about = {
        (f["rule"], relative(f["path"], args.corpus), int(f["line"])): (
            f"{f.get('route') or '-'}: {f['title']}"
        )
        for f in report.get("findings", [])
    }
    res = evaluate(labels, report.get("findings", []), args.corpus)
    if args.json:
        out = dict(res)
        out["missed"] = [lab.__dict__ for lab in res["missed"]]
        out["errors"] = report.get("errors", [])
        print(json.dumps(out, indent=1, default=list))
        return
    print("| rule | labelled | found | TP | FP | recall | precision |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in res["table"]:
        print(
            f"| {row['rule']} | {row['labelled']} | {row['found']} | {row['tp']} | {row['fp']} "
            f"| {fmt(row['recall'])} | {fmt(row['precision'])} |"
        )
    t = res["totals"]
    print(
        f"| **total** | {t['labelled']} | {t['found']} | {t['tp']} | {t['fp']} "
        f"| **{fmt(t['recall'])}** | **{fmt(t['precision'])}** |"
    )
    if report.get("errors"):
        print(f"\nscan errors: {len(report['errors'])}")
        for err in report["errors"]:
            print(f"  {err.get('path')}: {err.get('message')}")
    if args.list:
        print(f"\nunmatched findings ({len(res['unmatched'])}):")
        for site in res["unmatched"]:
            print(f"  {site[0]} {site[1]}:{site[2]}  {about.get(site, '')}")
        if res["duplicates"]:
            n_dup = len(res["duplicates"])
            print(f"\nsecond findings on an already matched label, not counted ({n_dup}):")
            for site in res["duplicates"]:
                print(f"  {site[0]} {site[1]}:{site[2]}  {about.get(site, '')}")
        print(f"\nmissed labels ({len(res['missed'])}):")
        for lab in res["missed"]:
            print(f"  {lab.rule} {lab.file}:{lab.line}  {lab.why}")


if __name__ == "__main__":
    main()
