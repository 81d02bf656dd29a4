"""Name and text patterns the probes share: destructive paths, owner and server fields, leaks."""

from __future__ import annotations

import re

from dynaguard.core.findings import JSON

# A GET that resets a database is still a reset: such paths are never sent unless owned.
_DESTRUCTIVE = re.compile(
    r"(^|[/_.-])(reset|delete|remove|drop|purge|wipe|truncate|destroy|clear|flush|"
    r"logout|signout|sign-out|log-out|revoke|deactivate|disable|shutdown|restart|kill|"
    r"init|seed|populate|migrate|admin)([/_.-]|$)",
    re.IGNORECASE,
)

# Properties that name who owns an object, in preference order.
OWNER_NAMES = (
    "owner",
    "owner_id",
    "ownerid",
    "user_id",
    "userid",
    "user",
    "created_by",
    "createdby",
    "author",
    "author_id",
    "account_id",
    "tenant_id",
    "customer_id",
    "username",
)

# Properties a client must not set: the server decides them (DG204).
SERVER_FIELDS: dict[str, JSON] = {
    "is_admin": True,
    "isadmin": True,
    "admin": True,
    "role": "admin",
    "roles": ["admin"],
    "version": 4242,
    "created_at": "1999-01-01T00:00:00Z",
    "createdat": "1999-01-01T00:00:00Z",
    "updated_at": "1999-01-01T00:00:00Z",
    "verified": True,
    "is_verified": True,
    "balance": 1000000,
    "credits": 1000000,
    "approved": True,
    "status": "approved",
}

# Property names whose presence in a response is over-exposure (DG209).
_SENSITIVE = re.compile(
    r"(password|passwd|pwd|secret|api_?key|private_?key|access_?key|token|ssn|salt|otp|"
    r"mfa|credit_?card|card_?number|cvv|_hash$|^hash$|^internal|^_)",
    re.IGNORECASE,
)
# Pagination and public identifiers that only look secret.
_NOT_SENSITIVE = re.compile(r"^(next|page|continuation|pagination|cursor)_?token$", re.I)

# Internal error text: botocore/DynamoDB codes and messages, stack traces, ARNs (DG207).
LEAK_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("botocore ClientError", re.compile(r"An error occurred \(\w+\) when calling the \w+")),
    (
        "DynamoDB error code",
        re.compile(
            r"\b(ValidationException|ConditionalCheckFailedException|"
            r"ResourceNotFoundException|ProvisionedThroughputExceededException|"
            r"TransactionCanceledException|ItemCollectionSizeLimitExceededException|"
            r"AccessDeniedException|UnrecognizedClientException)\b"
        ),
    ),
    ("Python traceback", re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\.py\"")),
    ("AWS ARN", re.compile(r"\barn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:")),
    ("botocore/boto3 name", re.compile(r"\b(botocore|boto3|aiobotocore)\.[a-z_]+")),
    ("DynamoDB key schema text", re.compile(r"The provided key element does not match")),
)


def is_destructive_path(path: str) -> bool:
    """Whether a path names a destructive action (reset, delete, purge...)."""
    return bool(_DESTRUCTIVE.search(path.split("?", 1)[0]))


def norm(name: str) -> str:
    """A property name folded for comparison: lower case, no '-', no camel humps."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower().replace("-", "_")


def is_sensitive(name: str) -> bool:
    """Whether a property name looks like a secret or an internal field."""
    return bool(_SENSITIVE.search(name)) and not _NOT_SENSITIVE.match(name)


def leaks(text: str) -> list[tuple[str, str]]:
    """(kind, matched text) for each internal-error pattern found in a response."""
    found: list[tuple[str, str]] = []
    for kind, pattern in LEAK_PATTERNS:
        m = pattern.search(text)
        if m:
            found.append((kind, m.group(0)))
    return found
