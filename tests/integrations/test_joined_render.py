"""The joined report in every format, and hostile target content in the HTML page.

A probed server controls routes, messages and response bodies; a JSON report handed to
`dynaguard report` may have been edited by anyone. The HTML page must show all of it as
text: parsed by html5lib (an HTML5 parser, as a browser parses) it has no element or
attribute the renderer did not write, and the hostile strings come back as plain text.
When chromium is installed, the page is also loaded in it with the Content-Security-
Policy removed (escaping alone must hold) and its DOM checked after scripts would run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import html5lib
import jsonschema
import pytest
import xmlschema

from dynaguard.core.correlate import join
from dynaguard.core.readback import from_json
from dynaguard.core.result import Result
from dynaguard.report import FORMATS, render

REPORT_TESTS = Path(__file__).parents[1] / "report"
XSS = "<script>document.title='pwned'</script>"
IMG = '"><img src=x onerror="document.title=\'pwned\'">'
BODY = "</pre></details><svg onload=\"document.title='pwned'\"><style>body{display:none}</style>"


def _finding(rule: str, **kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "rule": rule,
        "name": "bola-read" if rule.startswith("DG2") else "missing-ownership-check",
        "severity": "high",
        "confidence": "medium",
        "title": f"title {IMG}",
        "message": f"message {XSS}",
        "fix": f"fix {IMG}",
        "fingerprint": f"fp-{rule}-{kw.get('route')}",
        "evidence": {},
    }
    base.update(kw)
    return base


def hostile() -> Result:
    """A static and a probe report full of markup, joined."""
    route = f"GET /notes/{{id}}{IMG}"
    exchange = {
        "curl": f"curl -sS -X GET 'http://t/notes/1{IMG}'",
        "response": {"status": 200, "body": BODY},
    }
    static = {
        "tool": "dynaguard",
        "schema": 1,
        "engine": "static",
        "target": f"app{XSS}",
        "findings": [
            _finding("DG103", path=f"app/{IMG}.py", line=3, route=route),
            _finding(f"DG1{XSS}", path="app/x.py", line=1, route="GET /other"),
        ],
        "errors": [{"path": f"app/{XSS}.py", "message": f"cannot parse {IMG}"}],
    }
    probe = {
        "tool": "dynaguard",
        "schema": 1,
        "engine": "probe",
        "target": "http://t",
        "findings": [
            _finding("DG201", route=route, evidence={"exchanges": [exchange]}),
            _finding("DG209", route=f"GET /me{XSS}", evidence={"exchanges": [exchange]}),
        ],
        "errors": [],
    }
    return join(from_json(static), from_json(probe), {f"GET /me{XSS}": (f"app/{IMG}.py", 9)})


# The elements and attributes the renderer writes; anything else came from the target.
_TAGS = "html head meta title style body h1 h2 p span table tbody tr th td div input label b"
ALLOWED = frozenset([*_TAGS.split(" "), "code", "pre", "details", "summary", "ul", "li"])


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def check_page(page: str) -> ET.Element:
    """Parse strictly (any parse error raises) and hold the page to the renderer's markup."""
    tree = html5lib.HTMLParser(strict=True).parse(page)
    tags = {_local(e.tag) for e in tree.iter() if isinstance(e.tag, str)}
    assert tags <= ALLOWED, tags - ALLOWED
    for e in tree.iter():
        assert not [a for a in e.attrib if a.lower().startswith("on")], e.attrib
    styles = [e for e in tree.iter() if isinstance(e.tag, str) and _local(e.tag) == "style"]
    assert len(styles) == 1 and "pwned" not in (styles[0].text or "")
    titles = [e.text for e in tree.iter() if isinstance(e.tag, str) and _local(e.tag) == "title"]
    assert titles and "pwned" not in titles[0].replace(XSS, "")
    return tree


def text_of(tree: ET.Element) -> str:
    """All text of the parsed page."""
    return "".join(tree.itertext())


def test_hostile_content_is_text_not_markup() -> None:
    page = render(hostile(), "html")
    tree = check_page(page)
    text = text_of(tree)
    # Every hostile string is shown, literally
    for needle in (XSS, IMG, BODY, f"DG1{XSS}"):
        assert needle in text, needle


def test_filters_by_severity_rule_and_engine() -> None:
    result = hostile()
    tree = check_page(render(result, "html"))
    boxes = {
        e.get("id")
        for e in tree.iter()
        if isinstance(e.tag, str) and _local(e.tag) == "input" and e.get("type") == "checkbox"
    }
    # one box per severity, engine and rule present; a hostile rule id becomes a safe token
    assert {"s-high", "e-confirmed", "e-static", "e-probe", "r-DG103", "r-DG209"} <= boxes
    assert all(b and b.replace("-", "").replace("_", "").isalnum() for b in boxes)
    # each box hides, when cleared, the findings that carry its class (CSS, no script)
    style = next(e.text for e in tree.iter() if isinstance(e.tag, str) and _local(e.tag) == "style")
    for box in boxes:
        assert f"#{box}:not(:checked)~.findings .{box}{{display:none}}" in (style or "")
    divs = [
        e.get("class", "").split()
        for e in tree.iter()
        if isinstance(e.tag, str) and _local(e.tag) == "div" and "f" in e.get("class", "").split()
    ]
    assert len(divs) == len(result.findings) == 3
    assert sorted(c for cls in divs for c in cls if c.startswith("e-")) == [
        "e-confirmed",
        "e-probe",
        "e-static",
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_joined_result_renders_in_every_format(fmt: str) -> None:
    text = render(hostile(), fmt)
    if fmt == "json":
        doc = json.loads(text)
        assert doc["engine"] == "combined" and len(doc["findings"]) == 3
    elif fmt == "sarif":
        schema = json.loads((REPORT_TESTS / "sarif-schema-2.1.0.json").read_text("utf-8"))
        jsonschema.Draft4Validator(schema).validate(json.loads(text))
    elif fmt == "gitlab":
        schema = json.loads(
            (REPORT_TESTS / "gitlab-sast-report-format-15.2.1.json").read_text("utf-8")
        )
        jsonschema.Draft7Validator(schema).validate(json.loads(text))
    elif fmt == "junit":
        xmlschema.XMLSchema10(REPORT_TESTS / "junit-10.xsd").validate(text)
    elif fmt == "html":
        check_page(text)
    assert "confirmed by DG201" in text


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(
    _chromium() is None, reason="chromium is not installed (apt-get install chromium)"
)
def test_hostile_page_in_a_headless_browser(tmp_path: Path) -> None:
    page = render(hostile(), "html")
    # Without the CSP a missed escape would run: escaping must hold on its own.
    unsafe = "\n".join(line for line in page.splitlines() if "Content-Security-Policy" not in line)
    assert unsafe != page
    file = tmp_path / "report.html"
    file.write_text(unsafe, encoding="utf-8")
    browser = _chromium()
    assert browser is not None
    proc = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=2000",
            "--dump-dom",
            file.as_uri(),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = html5lib.parse(proc.stdout)
    tags = {_local(e.tag) for e in dom.iter() if isinstance(e.tag, str)}
    assert tags <= ALLOWED, tags - ALLOWED
    title = next(e.text for e in dom.iter() if isinstance(e.tag, str) and _local(e.tag) == "title")
    assert title is not None and not title.startswith("pwned")
    assert IMG in "".join(dom.itertext())


FILTER_PROBE = """<script>
const results = [];
for (const cleared of %s) {
  for (const box of document.querySelectorAll("input")) box.checked = !cleared.includes(box.id);
  results.push([...document.querySelectorAll("div.f")]
    .filter((d) => getComputedStyle(d).display !== "none")
    .map((d) => d.className.split(" ").find((c) => c.startsWith("r-"))).sort());
}
document.title = "shown:" + JSON.stringify(results);
</script>
"""
# boxes cleared -> the findings (by rule class) still displayed; all three are high
SCENARIOS = [
    ([], ["r-DG103", "r-DG209", "r-x"]),
    (["e-probe"], ["r-DG103", "r-x"]),  # engine: the probe-only DG209 hidden
    (["r-DG103"], ["r-DG209", "r-x"]),  # rule
    (["s-high"], []),  # severity
]


@pytest.mark.skipif(
    _chromium() is None, reason="chromium is not installed (apt-get install chromium)"
)
def test_filters_hide_findings_in_a_browser(tmp_path: Path) -> None:
    # The page's own CSS does the hiding; a test script (CSP removed for it) clears boxes
    # and reads which findings the browser still displays.
    page = render(hostile(), "html")
    page = "\n".join(line for line in page.splitlines() if "Content-Security-Policy" not in line)
    cleared = json.dumps([c for c, _ in SCENARIOS])
    page = page.replace("</body>", FILTER_PROBE % cleared + "</body>")
    file = tmp_path / "report.html"
    file.write_text(page, encoding="utf-8")
    browser = _chromium()
    assert browser is not None
    argv = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
    argv += [f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", file.as_uri()]
    proc = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = html5lib.parse(proc.stdout)
    title = next(e.text for e in dom.iter() if isinstance(e.tag, str) and _local(e.tag) == "title")
    assert title is not None and title.startswith("shown:"), title
    seen = [
        sorted(c if c in ("r-DG103", "r-DG209") else "r-x" for c in shown)
        for shown in json.loads(title[6:])
    ]
    assert seen == [shown for _, shown in SCENARIOS]
