"""The `cli` fixture: run `dynaguard` in-process through main()."""

from __future__ import annotations

import pytest
from cli_helpers import CLI, Run

from dynaguard.cli.main import main


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> CLI:
    """Run `dynaguard ARGS` through main() in this process."""

    def run(*argv: str) -> Run:
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse exits for --help and its own errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
