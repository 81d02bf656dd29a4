"""Peak memory and time of `dynaguard scan` on one large Python file (bench/README.md).

Generates files of three shapes (route handlers with DynamoDB calls, one big data literal,
flat statements) at the sizes given, scans each in its own process and reports that
process's peak RSS (os.wait4's rusage) and wall time, with the ratio to the file's size.

    python3 bench/reliability_large_file.py --sizes 0.5 0.95 4.8
    python3 bench/reliability_large_file.py --sizes 4.8 --max-file-bytes 6000000  # no cap
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
HEAD = (
    "import boto3\nfrom fastapi import FastAPI\n\napp = FastAPI()\n"
    "table = boto3.resource('dynamodb').Table('t')\n\n"
)


def generate(kind: str, size: int) -> str:
    """About `size` bytes of Python of one shape."""
    out, n, i = [HEAD], len(HEAD), 0
    while n < size:
        if kind == "code":
            s = (
                f"\n@app.post('/items{i}/{{item_id}}')\ndef h{i}(item_id: str, q: int = 0):\n"
                f"    item = table.get_item(Key={{'id': item_id}})['Item']\n"
                f"    item['n{i}'] = q + {i}\n    table.put_item(Item=item)\n    return item\n"
            )
        elif kind == "data":
            s = ("DATA = [\n" if i == 0 else "") + f"    {{'id': {i}, 'tags': ['a', 'b']}},\n"
        else:
            s = f"x{i} = {i} + {i} * 2\n"
        out.append(s)
        n += len(s)
        i += 1
    return "".join(out) + ("]\n" if kind == "data" else "")


def measure(path: Path, max_file_bytes: int | None) -> tuple[float, float, int, str]:
    """Peak RSS in MB, seconds, exit code and the first stderr line of one scan."""
    argv = [sys.executable, "-m", "dynaguard", "scan", path.name, "--format", "json"]
    argv += ["--fail-on", "none", "-o", os.devnull]
    if max_file_bytes is not None:
        config = path.with_name("dynaguard.toml")
        config.write_text(f"max_file_bytes = {max_file_bytes}\n", encoding="utf-8")
        argv += ["--config", str(config)]
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=path.parent, env=env, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, seconds, proc.returncode, (err.splitlines() or [""])[0]


def main() -> None:
    """Generate, scan, print one table row per file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.5, 0.95, 4.8], help="MB")
    parser.add_argument("--kinds", nargs="+", default=["code", "data", "flat"])
    parser.add_argument("--max-file-bytes", type=int, help="[tool.dynaguard] max_file_bytes")
    args = parser.parse_args()
    print("| shape | size | peak RSS | x size | time | outcome |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            for kind in args.kinds:
                path = Path(tmp) / f"{kind}.py"
                path.write_text(generate(kind, int(size * 1e6)), encoding="utf-8")
                mb, seconds, code, err = measure(path, args.max_file_bytes)
                ratio = mb * 1024 * 1024 / path.stat().st_size
                outcome = "skipped (over the cap)" if "skipped" in err else f"scanned, exit {code}"
                print(
                    f"| {kind} | {size:g} MB | {mb:.0f} MB | {ratio:.0f}x | {seconds:.1f} s "
                    f"| {outcome} |"
                )


if __name__ == "__main__":
    main()
