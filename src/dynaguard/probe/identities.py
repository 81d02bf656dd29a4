"""Identities given as curl-like headers: `alice=Authorization: Bearer ...`, `root[admin]=...`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dynaguard.probe.errors import ProbeError

_NAME = re.compile(r"^([A-Za-z0-9_.-]{1,40})(?:\[([A-Za-z0-9_.-]{1,40})\])?$")
_HEADER = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # RFC 9110 token
# `Scheme credentials` (RFC 9110 11.4): the scheme is a token, the rest is the secret.
_SCHEME = re.compile(r"^([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s+(\S.*)$")
_AUTH_HEADERS = {"authorization", "proxy-authorization"}
_SCHEMES = {"bearer", "basic", "digest", "token", "apikey", "api-key", "jwt", "negotiate"}


@dataclass(frozen=True, slots=True)
class Identity:
    """A named set of credential headers, with an optional role (`admin`); anonymous has none."""

    name: str
    headers: dict[str, str] = field(default_factory=dict)
    role: str | None = None

    @property
    def anonymous(self) -> bool:
        """True for the identity that sends no credentials."""
        return not self.headers

    @property
    def privileged(self) -> bool:
        """Whether the identity was given a role (`root[admin]=...`)."""
        return self.role is not None

    def secrets(self) -> list[str]:
        """Every credential string that must never appear in output, whatever its length.

        Only the credential part: `Bearer` in `Bearer abc` is a scheme name, not a secret,
        and redacting it would also blank every `WWW-Authenticate: Bearer` in a report.
        """
        out: list[str] = []
        for name, value in self.headers.items():
            out.extend(credential_parts(name, value))
        return sorted({s for s in out if s}, key=len, reverse=True)


def credential_parts(name: str, value: str) -> list[str]:
    """The secret parts of a credential header: the token after a scheme, cookie values."""
    value = value.strip()
    if name.lower() == "cookie":
        # `sid=abc; theme=dark` -> each value (cookie names are not secret).
        parts = [p.split("=", 1)[1].strip() for p in value.split(";") if "=" in p]
        return [p for p in parts if p] or [value]
    m = _SCHEME.match(value)
    if m and (name.lower() in _AUTH_HEADERS or m.group(1).lower() in _SCHEMES):
        return [m.group(2).strip()]
    return [value]


ANONYMOUS = Identity("anonymous")


def parse_identity(text: str) -> Identity:
    """Parse `NAME[ROLE]=Header-Name: value` (repeat the flag for more headers of one identity)."""
    name, sep, header = text.partition("=")
    m = _NAME.match(name.strip())
    if not sep or m is None:
        raise ProbeError(
            "--identity must look like 'NAME=Header-Name: value' or 'NAME[ROLE]=Header-Name: "
            "value' (NAME and ROLE: letters, digits, '_', '-', '.')"
        )
    name, role = m.group(1), m.group(2)
    key, colon, value = header.partition(":")
    key, value = key.strip(), value.strip()
    if not colon or not _HEADER.match(key) or not value:
        raise ProbeError(f"--identity {name}: expected 'Header-Name: value' after '{name}='")
    if any(c in value for c in "\r\n\x00"):
        raise ProbeError(f"--identity {name}: header value contains a control character")
    return Identity(name, {key: value}, role)


def parse_identities(texts: list[str]) -> list[Identity]:
    """Parse repeated --identity flags; the same NAME twice adds headers to one identity."""
    merged: dict[str, dict[str, str]] = {}
    roles: dict[str, str | None] = {}
    for text in texts:
        ident = parse_identity(text)
        if ident.name == ANONYMOUS.name:
            raise ProbeError("--identity: the name 'anonymous' is reserved")
        merged.setdefault(ident.name, {}).update(ident.headers)
        if ident.role is not None or ident.name not in roles:
            if roles.get(ident.name) not in (None, ident.role):
                raise ProbeError(f"--identity {ident.name}: two different roles")
            roles[ident.name] = ident.role
    return [Identity(n, h, roles.get(n)) for n, h in merged.items()]
