"""`dynaguard scan` bad input: one line on stderr, exit 2, nothing on stdout, no traceback."""

from __future__ import annotations

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
    "baseline garbage": (["--baseline", "garbage.json"], "cannot read baseline garbage.json"),
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
