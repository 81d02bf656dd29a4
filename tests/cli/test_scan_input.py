"""`dynaguard scan` bad input: one line on stderr, exit 2, nothing on stdout, no traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from cli_helpers import CLI, subprocess_cli

BAD = {
    "missing path": (["nope/"], "path not found: nope/"),
    "format": (["--format", "xml"], "--format must be one of"),
    "fail-on": (["--fail-on", "urgent"], "--fail-on: unknown severity 'urgent'"),
    "min-severity": (["--min-severity", "loud"], "--min-severity: unknown severity"),
    "jobs word": (["--jobs", "two"], "--jobs must be a whole number"),
    "jobs negative": (["--jobs", "-1"], "--jobs must be 0 (all cores) or more"),
    "config missing": (["--config", "missing.toml"], "config file not found: missing.toml"),
    "config not toml": (["--config", "bad.toml"], "bad.toml: not valid TOML"),
    "config unknown key": (["--config", "unknown.toml"], "unknown [tool.dynaguard] key(s): colour"),
    "baseline missing": (["--baseline", "missing.json"], "baseline file not found"),
    "baseline garbage": (
        ["--baseline", "garbage.json"],
        "garbage.json is not a dynaguard baseline",
    ),
    "baseline binary": (
        ["--baseline", "blob.bin"],
        "blob.bin is not a dynaguard baseline (not JSON)",
    ),
    "baseline entry": (["--baseline", "entry.json"], "findings[1] has no fingerprint string"),
    "baseline dir": (["--baseline", "sub"], "baseline sub is a directory"),
    "config tool not a table": (["--config", "tool3.toml"], "tool3.toml: [tool] must be a table"),
    "config dir": (["--config", "sub"], "config sub is a directory"),
    "config pyproject without table": (
        ["--config", "plain/pyproject.toml"],
        "plain/pyproject.toml has no [tool.dynaguard] table",
    ),
    "fifo": (["pipe.py"], "not a file or directory: pipe.py"),
    "output under a file": (["--output", "app.py/out.json"], "directory app.py does not exist"),
    "baseline other json": (["--baseline", "other.json"], "is not a dynaguard baseline"),
    "output dir missing": (["--output", "nodir/out.json"], "directory nodir does not exist"),
    "output is a dir": (["--output", "sub"], "sub is a directory"),
    "write-baseline dir missing": (["--write-baseline", "nodir/b.json"], "directory nodir"),
    "select unknown": (["--select", "DG999"], "unknown rule 'DG999' in --select"),
    "ignore unknown": (["--ignore", "DG101,XYZ"], "in --ignore"),
}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project directory with broken inputs of every kind."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "app.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "bad.toml").write_text("[tool.dynaguard\n", encoding="utf-8")
    (tmp_path / "unknown.toml").write_text("[tool.dynaguard]\ncolour = 1\n", encoding="utf-8")
    (tmp_path / "garbage.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "other.json").write_text('{"findings": []}', encoding="utf-8")
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)) * 4)
    entries = '{"baseline": 1, "findings": [{"fingerprint": "ab"}, {"fingerprint": 7}]}'
    (tmp_path / "entry.json").write_text(entries, encoding="utf-8")
    (tmp_path / "tool3.toml").write_text("tool = 3\n", encoding="utf-8")
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "pyproject.toml").write_text('[project]\nname = "x"\n', "utf-8")
    os.mkfifo(tmp_path / "pipe.py")  # reading it would block the scan forever
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _assert_one_line(code: int, out: str, err: str, expected: str) -> None:
    assert code == 2, err
    assert out == ""
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    assert err.startswith("dynaguard scan: error: ")
    assert expected in err, err


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input(cli: CLI, workdir: Path, case: str) -> None:
    argv, expected = BAD[case]
    run = cli("scan", *argv)
    _assert_one_line(run.code, run.out, run.err, expected)


def test_unknown_rule_in_discovered_config(cli: CLI, workdir: Path) -> None:
    # Given a pyproject.toml whose [tool.dynaguard] names a rule that does not exist
    (workdir / "pyproject.toml").write_text(
        '[tool.dynaguard]\nignore = ["DG999"]\n', encoding="utf-8"
    )
    # When scanning, Then the error names the rule and the file it came from
    run = cli("scan", "app.py")
    _assert_one_line(run.code, run.out, run.err, "unknown rule 'DG999' in ignore in ")
    assert "pyproject.toml" in run.err


@pytest.mark.parametrize("case", ["missing path", "config not toml", "baseline garbage"])
def test_bad_input_in_a_real_process(workdir: Path, case: str) -> None:
    argv, expected = BAD[case]
    run = subprocess_cli("scan", *argv, cwd=workdir)
    _assert_one_line(run.code, run.out, run.err, expected)


def test_unknown_flag_is_one_line(cli: CLI, workdir: Path) -> None:
    run = cli("scan", "--no-such-flag")
    assert run.code == 2 and "Traceback" not in run.err
    assert run.err.count("\n") == 1, run.err


@pytest.mark.parametrize(
    ("pyproject", "expected"),
    [
        ("[tool.dynaguard\nexclude = []\n", "pyproject.toml: not valid TOML"),
        ("[tool]\ndynaguard = 3\n", "[tool.dynaguard] must be a table"),
    ],
)
def test_broken_discovered_config_is_an_error(
    cli: CLI, workdir: Path, pyproject: str, expected: str
) -> None:
    # Given the project's pyproject.toml holds a broken [tool.dynaguard]
    (workdir / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    # When scanning, Then the run stops with one line instead of ignoring the settings
    run = cli("scan", "app.py")
    _assert_one_line(run.code, run.out, run.err, expected)


@pytest.mark.parametrize("pyproject", ["[project\nname = 1\n", "tool = 3\n"])
def test_unrelated_broken_pyproject_is_not_our_business(
    cli: CLI, workdir: Path, pyproject: str
) -> None:
    # A pyproject.toml that cannot hold [tool.dynaguard] leaves the default settings.
    (workdir / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    run = cli("scan", "app.py", "--format", "json")
    assert run.code == 0 and "Traceback" not in run.err, run.err
    assert run.err == ""


def test_a_directory_of_unreadable_files_is_reported_not_fatal(cli: CLI, workdir: Path) -> None:
    # Given binary, non-UTF-8 and huge files that mention DynamoDB (so they are read)
    junk = workdir / "junk"
    junk.mkdir()
    (junk / "blob.py").write_bytes(b"import boto3\n\x00\x01" + bytes(range(256)) * 64)
    (junk / "latin.py").write_bytes(b"import boto3\nx = '\xe9t\xe9'\n")
    (junk / "huge.py").write_text("import boto3\n" + "x = 1\n" * 900_000, encoding="utf-8")
    # When scanning the directory, Then each unreadable file is one error, no traceback
    run = cli("scan", "junk", "--format", "json")
    assert "Traceback" not in run.err, run.err
    errors = {e["path"]: e["message"] for e in json.loads(run.out)["errors"]}
    assert set(errors) == {"junk/blob.py", "junk/latin.py", "junk/huge.py"}, errors
    assert "binary" in errors["junk/blob.py"] and "UTF-8" in errors["junk/latin.py"]
    assert "limit" in errors["junk/huge.py"]  # over the 1 MiB cap: generated data, skipped
    # and since latin.py could hold findings and was not read, the run is incomplete
    # (exit 2); the binary and the huge file were left unread by policy
    assert run.code == 2
    assert len(run.err.splitlines()) == len(errors) + 1  # one line per error, one verdict
