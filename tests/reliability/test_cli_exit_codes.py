"""Exit codes: a bug in dynaguard exits 3 (never 1, which means "findings"), in every command.

0 clean, 1 findings at or above --fail-on, 2 usage/input error or incomplete run, 3 internal
error: one paragraph on stderr saying what to send, the traceback only on request.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from dynaguard.cli.main import COMMANDS, main
from tests.reliability.scan_support import dynaguard


def _boom(args: object) -> int:
    raise RuntimeError("an unforeseen bug")


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_a_crash_in_any_command_exits_3(
    command: str, debug: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the command's code raises something nobody planned for (its flags left out, so
    # that any command, present or future, parses without arguments)
    module = importlib.import_module(COMMANDS[command][0])
    monkeypatch.setattr(module, "add_arguments", lambda parser: None)
    monkeypatch.setattr(module, "run", _boom)
    monkeypatch.delenv("DYNAGUARD_DEBUG", raising=False)
    # When it runs
    code = main([*(["--debug"] if debug else []), command])
    err = capsys.readouterr().err
    # Then exit 3, says it is a bug and what to send; a traceback only with --debug
    assert code == 3
    assert "dynaguard: internal error: RuntimeError: an unforeseen bug" in err
    assert "This is a bug in dynaguard" in err
    assert ("Traceback" in err) is debug


def test_a_real_process_exits_3_and_debug_env_shows_the_traceback(tmp_path: Path) -> None:
    code = (
        "import sys, dynaguard.cli.rules as r\n"
        "def boom(args): raise RuntimeError('an unforeseen bug')\n"
        "r.run = boom\n"
        "sys.argv = ['dynaguard', 'rules']\n"
        "from dynaguard.cli.main import entry\n"
        "entry()\n"
    )
    plain = dynaguard(cwd=tmp_path, python_args=("-c", code), env={"DYNAGUARD_DEBUG": ""})
    assert plain.code == 3 and "Traceback" not in plain.err
    assert plain.err.startswith("dynaguard: internal error: RuntimeError")
    debug = dynaguard(cwd=tmp_path, python_args=("-c", code), env={"DYNAGUARD_DEBUG": "1"})
    assert debug.code == 3 and "Traceback" in debug.err


def test_python_m_dynaguard_is_the_cli(tmp_path: Path) -> None:
    run = dynaguard("--version", cwd=tmp_path)
    assert run.code == 0 and run.out.startswith("dynaguard ")
