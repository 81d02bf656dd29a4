"""Golden files: every renderer over every hand-built Result, byte for byte.

Regenerate after an intended change with `UPDATE_GOLDEN=1 python3 -m pytest tests/report`,
then review the diff of tests/report/golden/ before committing it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from dynaguard.core.result import Result
from dynaguard.report import FORMATS, render

GOLDEN = Path(__file__).parent / "golden"
EXTENSION = {
    "text": "txt",
    "json": "json",
    "sarif": "sarif",
    "markdown": "md",
    "html": "html",
    "junit": "junit.xml",
    "gitlab": "gitlab.json",
}
# GitLab's report carries the scan's start and end times: the only text that changes per run.
_TIMES = re.compile(r'"(start|end)_time": "[0-9T:-]+"')
SAMPLE_NAMES = ("empty", "probe", "static", "unicode")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_golden(
    name: str,
    fmt: str,
    samples: dict[str, Result],
    source_lines: Callable[[str, int], str | None],
) -> None:
    # Given a hand-built result, When it is rendered, Then the output is the golden file.
    text = _TIMES.sub(r'"\1_time": "(time)"', render(samples[name], fmt, source=source_lines))
    golden = GOLDEN / f"{name}.{EXTENSION[fmt]}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8", newline="")
    assert golden.exists(), f"{golden} missing: run with UPDATE_GOLDEN=1 to create it"
    assert text == golden.read_text(encoding="utf-8"), f"{golden.name} differs (UPDATE_GOLDEN=1)"


def test_every_golden_file_is_used() -> None:
    expected = {f"{n}.{e}" for n in SAMPLE_NAMES for e in EXTENSION.values()}
    assert {p.name for p in GOLDEN.iterdir()} == expected


def test_unknown_format_is_a_value_error(samples: dict[str, Result]) -> None:
    with pytest.raises(ValueError, match="choose from"):
        render(samples["empty"], "xml")
