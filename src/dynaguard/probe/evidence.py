"""Recorded exchanges: what was sent and received, secrets redacted at record time."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field

from dynaguard.core.findings import JSON

REDACTED = "[redacted]"
SHORT_SECRET = 4
# Evidence keeps enough of a body to show the proof; the decision reads the parsed JSON.
EVIDENCE_BODY_CHARS = 2000


class Redactor:
    """Replaces every known secret (longest first) wherever it appears.

    A secret of any length is redacted; one shorter than 4 characters only where it stands
    alone (not inside a longer word), or `ab` as a token would mangle every report.
    """

    def __init__(self, secrets: list[str]) -> None:
        ordered = sorted({s for s in secrets if s}, key=len, reverse=True)
        self._long = [s for s in ordered if len(s) >= SHORT_SECRET]
        short = [re.escape(s) for s in ordered if len(s) < SHORT_SECRET]
        self._short = (
            re.compile(r"(?<![A-Za-z0-9])(" + "|".join(short) + r")(?![A-Za-z0-9])")
            if short
            else None
        )

    def add(self, secret: str) -> None:
        """One more secret (a token the run obtained itself, for a throwaway account)."""
        if len(secret) >= SHORT_SECRET and secret not in self._long:
            self._long = sorted([*self._long, secret], key=len, reverse=True)

    def __call__(self, text: str) -> str:
        """The text with each secret replaced by [redacted]."""
        for s in self._long:
            if s in text:
                text = text.replace(s, REDACTED)
        if self._short is not None:
            text = self._short.sub(REDACTED, text)
        return text

    def headers(self, headers: dict[str, str], secret_names: set[str]) -> dict[str, str]:
        """Headers with credentials redacted: `Bearer [redacted]`, the scheme kept visible."""
        out: dict[str, str] = {}
        for k, v in headers.items():
            shown = self(v)
            # A credential header whose secret did not match (never expected) is blanked whole.
            out[k] = REDACTED if k.lower() in secret_names and REDACTED not in shown else shown
        return out


@dataclass(slots=True, kw_only=True)
class Exchange:
    """One request and its response (or the error that took its place), already redacted."""

    seq: int
    identity: str
    method: str
    url: str
    route: str
    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: str | None = None
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str = ""
    truncated: bool = False
    error: str | None = None
    elapsed_ms: int = 0

    @property
    def ok(self) -> bool:
        """A 2xx answer."""
        return self.status is not None and 200 <= self.status < 300

    @property
    def json(self) -> JSON:
        """The response body parsed as JSON, or None when it is not JSON."""
        if self.truncated or not self.response_body:
            return None
        try:
            value: JSON = json.loads(self.response_body)
        except ValueError:
            return None
        return value

    def curl(self) -> str:
        """A curl line that reproduces the request (credentials shown as [redacted])."""
        parts = ["curl", "-sS", "-X", self.method, shlex.quote(self.url)]
        for k, v in self.request_headers.items():
            parts += ["-H", shlex.quote(f"{k}: {v}")]
        if self.request_body is not None:
            parts += ["--data-raw", shlex.quote(self.request_body)]
        return " ".join(parts)

    def to_json(self) -> dict[str, JSON]:
        """The exchange as evidence in a finding (bodies cut to a readable size)."""
        body = self.response_body[:EVIDENCE_BODY_CHARS]
        out: dict[str, JSON] = {
            "seq": self.seq,
            "identity": self.identity,
            "request": {
                "method": self.method,
                "url": self.url,
                "headers": dict(self.request_headers),
                "body": self.request_body,
            },
            "response": {
                "status": self.status,
                "headers": dict(self.response_headers),
                "body": body,
                "truncated": self.truncated or len(self.response_body) > len(body),
            },
            "curl": self.curl(),
        }
        if self.error:
            out["error"] = self.error
        return out


def evidence(*exchanges: Exchange, **facts: JSON) -> dict[str, JSON]:
    """A finding's evidence: the facts the verdict rests on, then the exchanges in order."""
    out: dict[str, JSON] = dict(facts)
    out["exchanges"] = [e.to_json() for e in sorted(exchanges, key=lambda e: e.seq)]
    return out
