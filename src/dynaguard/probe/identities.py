"""Identities given as curl-like headers: `alice=Authorization: Bearer ...`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dynaguard.probe.errors import ProbeError

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
_HEADER = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # RFC 9110 token


@dataclass(frozen=True, slots=True)
class Identity:
    """A named set of credential headers; the anonymous identity has none."""

    name: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def anonymous(self) -> bool:
        """True for the identity that sends no credentials."""
        return not self.headers

    def secrets(self) -> list[str]:
        """Every string that must never appear in output: values, and tokens inside them."""
        out: list[str] = []
        for value in self.headers.values():
            out.append(value)
            # "Bearer abc" -> also "abc", since a server may echo the bare token.
            out.extend(p for p in value.split() if len(p) >= 4)
            out.extend(p.split("=", 1)[1] for p in value.split(";") if "=" in p)
        return sorted({s.strip() for s in out if len(s.strip()) >= 4}, key=len, reverse=True)


ANONYMOUS = Identity("anonymous")


def parse_identity(text: str) -> Identity:
    """Parse `NAME=Header-Name: value` (repeat the flag for more headers of one identity)."""
    name, sep, header = text.partition("=")
    name = name.strip()
    if not sep or not _NAME.match(name):
        raise ProbeError(
            "--identity must look like 'NAME=Header-Name: value' "
            "(NAME: letters, digits, '_', '-', '.')"
        )
    key, colon, value = header.partition(":")
    key, value = key.strip(), value.strip()
    if not colon or not _HEADER.match(key) or not value:
        raise ProbeError(f"--identity {name}: expected 'Header-Name: value' after '{name}='")
    if any(c in value for c in "\r\n\x00"):
        raise ProbeError(f"--identity {name}: header value contains a control character")
    return Identity(name, {key: value})


def parse_identities(texts: list[str]) -> list[Identity]:
    """Parse repeated --identity flags; the same NAME twice adds headers to one identity."""
    merged: dict[str, dict[str, str]] = {}
    for text in texts:
        ident = parse_identity(text)
        if ident.name == ANONYMOUS.name:
            raise ProbeError("--identity: the name 'anonymous' is reserved")
        merged.setdefault(ident.name, {}).update(ident.headers)
    return [Identity(n, h) for n, h in merged.items()]
