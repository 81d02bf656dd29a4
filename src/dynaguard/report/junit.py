"""JUnit XML report (Jenkins' junit-10.xsd): one test case per rule and file (or route).

CI systems read JUnit to show a list of checks that passed or failed. A rule that ran and
found nothing is one passing case; a rule with findings is one failing case per file (static)
or route (probe), each `<failure>` carrying one finding. Errors the run reported (a file it
could not read, a probe that stopped) are `<error>` cases, so a broken run is never green.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from dynaguard.core.findings import Finding
from dynaguard.core.result import Result
from dynaguard.report._common import diagnostic_text, dumps, location, ordered

# XML 1.0 forbids most control characters even escaped; a probed server's text can hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def render(result: Result) -> str:
    """The JUnit XML document as text."""
    suite = ET.Element("testsuite", name=f"dynaguard {result.engine.value}")
    cases = _cases(result)
    failures = sum(1 for c in cases if c.find("failure") is not None)
    errors = sum(1 for c in cases if c.find("error") is not None)
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    seconds = result.stats.get("seconds")
    if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds >= 0:
        suite.set("time", f"{seconds:.3f}")
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("target", result.target),
        ("version", result.tool_version),
        ("score", str(result.score)),
        ("grade", result.grade),
    ):
        ET.SubElement(props, "property", name=name, value=_clean(value))
    suite.extend(cases)
    root = ET.Element("testsuites", name="dynaguard")
    for key in ("tests", "failures", "errors"):
        root.set(key, suite.get(key, "0"))
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _cases(result: Result) -> list[ET.Element]:
    by_case: dict[tuple[str, str], list[Finding]] = {}
    for f in ordered(result.findings):
        by_case.setdefault((f.rule, f.path or f.route or ""), []).append(f)
    engine = result.engine.value
    out: list[ET.Element] = []
    ran = sorted({m.id for m in result.rules} | {rule for rule, _ in by_case})
    for rule in ran:
        places = sorted(where for r, where in by_case if r == rule)
        if not places:
            out.append(_case(f"dynaguard.{engine}.{rule}", rule))
        for where in places:
            case = _case(f"dynaguard.{engine}.{rule}", f"{rule} {where}".strip())
            for f in by_case[(rule, where)]:
                failure = ET.SubElement(
                    case, "failure", type=f"{f.rule} {f.name}", message=_clean(_headline(f))
                )
                failure.text = _clean(_details(f))
            out.append(case)
    for d in result.errors:
        case = _case(f"dynaguard.{engine}.errors", d.path)
        ET.SubElement(case, "error", type=d.kind or "error", message=_clean(diagnostic_text(d)))
        out.append(case)
    return out


def _case(classname: str, name: str) -> ET.Element:
    return ET.Element("testcase", classname=_clean(classname), name=_clean(name))


def _headline(f: Finding) -> str:
    return f"{f.severity.value}: {location(f)}: {f.message or f.title}"


def _details(f: Finding) -> str:
    lines = [
        f"{f.rule} {f.name} ({f.severity.value}, confidence {f.confidence.value})",
        f"where: {location(f)}",
    ]
    if f.route:
        lines.append(f"route: {f.route}")
    lines += [f"message: {f.message}", f"fix: {f.fix}"]
    refs = ", ".join(x for x in (f.owasp_api, f.cwe) if x)
    if refs:
        lines.append(f"refs: {refs}")
    lines.append(f"fingerprint: {f.fingerprint}")
    if f.evidence:
        lines += ["evidence:", dumps(f.evidence)]
    return "\n".join(lines)


def _clean(text: str) -> str:
    """The text with characters XML 1.0 cannot carry shown as escapes."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
