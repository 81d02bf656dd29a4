"""`dynaguard --help` and every sub-command's --help print usage and exit 0."""

from __future__ import annotations

import pytest
from cli_helpers import CLI, subprocess_cli

from dynaguard.cli.main import COMMANDS


def test_top_level_help_lists_commands(cli: CLI) -> None:
    run = cli("--help")
    assert run.code == 0
    for name in COMMANDS:
        assert name in run.out


def test_no_command_prints_help_and_exits_2(cli: CLI) -> None:
    run = cli()
    assert run.code == 2 and "usage: dynaguard" in run.err


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_sub_command_help(cli: CLI, command: str) -> None:
    run = cli(command, "--help")
    assert run.code == 0, run.err
    assert f"usage: dynaguard {command}" in run.out
    assert "Traceback" not in run.err


@pytest.mark.parametrize("script", [False, True], ids=["python-m", "console-script"])
def test_help_in_a_real_process(script: bool) -> None:
    run = subprocess_cli("scan", "--help", script=script)
    assert run.code == 0, run.err
    for flag in ("--format", "--fail-on", "--min-severity", "--baseline", "--write-baseline"):
        assert flag in run.out
