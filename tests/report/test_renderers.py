"""Renderer behaviour beyond the golden files: contract, colour, escaping, quiet mode."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from dynaguard.core.result import Result
from dynaguard.report import html, markdown, render, text

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_json_is_the_contract(sample: tuple[str, Result]) -> None:
    _, result = sample
    doc = json.loads(render(result, "json"))
    assert doc == result.to_json()
    assert list(doc)[:10] == [
        "tool",
        "version",
        "schema",
        "engine",
        "target",
        "score",
        "grade",
        "counts",
        "findings",
        "errors",
    ]
    assert doc["schema"] == 1 and doc["tool"] == "dynaguard"
    for f in doc["findings"]:
        assert list(f) == [
            "rule",
            "name",
            "severity",
            "confidence",
            "title",
            "message",
            "path",
            "line",
            "column",
            "end_line",
            "route",
            "owasp_api",
            "cwe",
            "fix",
            "evidence",
            "fingerprint",
        ]


def test_json_keeps_unicode_readable(samples: dict[str, Result]) -> None:
    out = render(samples["unicode"], "json")
    assert "données" in out and "\\u00" not in out


def test_text_colour_only_when_asked(samples: dict[str, Result]) -> None:
    plain = text.render(samples["static"])
    coloured = text.render(samples["static"], color=True)
    assert "\x1b[" not in plain
    assert "\x1b[" in coloured
    stripped = [line.rstrip() for line in ANSI.sub("", coloured).splitlines()]
    assert stripped == plain.splitlines()


def test_text_quiet_has_no_summary(samples: dict[str, Result]) -> None:
    out = text.render(samples["static"], summary=False)
    assert "score" not in out and "Errors" not in out
    assert "DG103 missing-ownership-check" in out


def test_text_groups_static_by_file_and_probe_by_route(samples: dict[str, Result]) -> None:
    static_heads = [ln for ln in text.render(samples["static"]).splitlines() if ln[:1].isalpha()]
    assert static_heads[:2] == ["app/repo.py", "app/routes.py"]
    probe_heads = [ln for ln in text.render(samples["probe"]).splitlines() if ln.startswith("GET")]
    assert probe_heads == ["GET /items/{item_id}  (probe)", "GET /notes/{id}  (probe)"]


def test_text_summary_mentions_hidden_findings(samples: dict[str, Result]) -> None:
    result = replace(samples["empty"], stats={"below_min_severity": 2, "baseline_hidden": 3})
    last = text.render(result).splitlines()[-1]
    assert last == (
        "No findings  score 100/100  grade A  (2 below --min-severity not shown; 3 in baseline)"
    )


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def test_html_escapes_everything(samples: dict[str, Result]) -> None:
    page = html.render(samples["unicode"])
    parser = _Tags()
    parser.feed(page)
    assert "script" not in parser.tags  # the message's <script> stays text
    assert "&lt;script&gt;" in page
    assert not any(t in parser.tags for t in ("img", "iframe", "link", "a"))  # self-contained


def test_html_shows_evidence(samples: dict[str, Result]) -> None:
    page = html.render(samples["probe"])
    assert "<details><summary>evidence</summary>" in page
    assert "Bearer [redacted]" in page


def test_markdown_escapes_message_text(samples: dict[str, Result]) -> None:
    out = markdown.render(samples["unicode"])
    assert "<script>" not in out
    assert "\\[link\\]" in out and "\\| \\`id\\`" in out


def test_markdown_code_span_survives_backticks() -> None:
    assert markdown._code("a `b` c") == "``a `b` c``"
    assert markdown._code("`x`") == "`` `x` ``"


def test_control_characters_never_reach_the_terminal(samples: dict[str, Result]) -> None:
    # Given a probe finding whose route and message came from a hostile server
    hostile = "\x1b]0;owned\x07\x1b[2J\u202e"
    base = samples["probe"]
    finding = replace(base.findings[0], route=f"GET /x{hostile}", message=f"leak {hostile}")
    result = replace(base, findings=(finding,))
    # When rendered as text, plain and coloured, and as Markdown
    plain = render(result, "text")
    coloured = render(result, "text", color=True)
    md = render(result, "markdown")
    # Then every control character is shown escaped, none is sent raw
    assert "\x1b" not in plain and "\x07" not in plain and "\u202e" not in plain
    assert "\\x1b]0;owned\\x07\\x1b[2J\\u202e" in plain
    assert ANSI.sub("", coloured).splitlines() == plain.splitlines()  # only rich's SGR codes
    assert "\x07" not in md and "\x1b" not in md


def test_non_finite_numbers_in_evidence_stay_valid_json(samples: dict[str, Result]) -> None:
    # Given evidence holding values JSON cannot express (a timing that overflowed)
    base = samples["probe"]
    odd = {"elapsed": float("nan"), "ratio": [float("inf"), 1.5]}
    result = replace(base, findings=(replace(base.findings[0], evidence=odd),))
    # When rendered as JSON and SARIF, Then both parse strictly, the odd values as null
    for fmt in ("json", "sarif"):
        doc = json.loads(render(result, fmt), parse_constant=pytest.fail)
        text = json.dumps(doc)
        assert '"elapsed": null' in text and '"ratio": [null, 1.5]' in text
