"""OWASP API Security Top 10 (2023) and CWE identifiers used by the rules."""

from __future__ import annotations

import re

OWASP_API_2023: dict[str, str] = {
    "API1:2023": "Broken Object Level Authorization",
    "API2:2023": "Broken Authentication",
    "API3:2023": "Broken Object Property Level Authorization",
    "API4:2023": "Unrestricted Resource Consumption",
    "API5:2023": "Broken Function Level Authorization",
    "API6:2023": "Unrestricted Access to Sensitive Business Flows",
    "API7:2023": "Server Side Request Forgery",
    "API8:2023": "Security Misconfiguration",
    "API9:2023": "Improper Inventory Management",
    "API10:2023": "Unsafe Consumption of APIs",
}

_CWE = re.compile(r"^CWE-[1-9]\d{0,4}$")


def check_cwe(cwe: str) -> list[str]:
    """Problems with a CWE id ('CWE-639')."""
    return [] if _CWE.match(cwe) else [f"cwe {cwe!r} is not CWE-<n>"]


def check_owasp(category: str) -> list[str]:
    """Problems with an OWASP API 2023 category ('API1:2023')."""
    return [] if category in OWASP_API_2023 else [f"owasp_api {category!r} is not API1..10:2023"]


def cwe_url(cwe: str) -> str:
    """MITRE's page for a CWE id."""
    return f"https://cwe.mitre.org/data/definitions/{cwe.removeprefix('CWE-')}.html"
