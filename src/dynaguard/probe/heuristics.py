"""Name and text patterns the probes share: destructive paths, owner and server fields, leaks."""

from __future__ import annotations

import re

from dynaguard.core.findings import JSON

# A GET that resets a database is still a reset: such paths are never sent unless owned.
_DESTRUCTIVE = re.compile(
    r"(^|[/_.-])(reset|delete|remove|drop|purge|wipe|truncate|destroy|clear|flush|"
    r"logout|signout|sign-out|log-out|revoke|deactivate|disable|shutdown|restart|kill|"
    r"init|seed|populate|migrate|admin|createdb|initdb|dropdb|resetdb|exec|execute|shell|"
    r"eval|console|debug)([/_.-]|$)",
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

# Internal error text, by what leaked (DG207): the kind names the technology, so the
# finding's text speaks of what actually leaked (SQLite is not DynamoDB).
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
    (
        "AWS SDK error",
        re.compile(
            r"\b(NoCredentialsError|EndpointConnectionError|"
            r"ParamValidationError|AmazonDynamoDBException|"
            r"com\.amazonaws\.[\w.]+|software\.amazon\.awssdk\.[\w.]+)"
        ),
    ),
    ("Python traceback", re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\.py\"")),
    (
        "Java stack trace",
        re.compile(
            r"\bat (?:[a-z]\w*\.)+[A-Z]\w*\.\w+\((?:\w+\.java:\d+|Native Method)\)"
            r"|\b(?:java|javax|org\.springframework)\.[\w.]+(?:Exception|Error)\b"
        ),
    ),
    ("AWS ARN", re.compile(r"\barn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:")),
    ("botocore/boto3 name", re.compile(r"\b(botocore|boto3|aiobotocore)\.[a-z_]+")),
    ("DynamoDB key schema text", re.compile(r"The provided key element does not match")),
    (
        "SQL error",
        re.compile(
            r"\bsqlalchemy\.(?:exc|orm)\.\w+|\(sqlite3\.\w+Error\)|\bsqlite3\.\w+Error\b|"
            r"\bpsycopg2?\.(?:errors\.)?\w+|\bpymysql\.err\.\w+|"
            r"\bSQLSTATE\[\w+\]|near \"[^\"]*\": syntax error|\bno such (?:table|column): \w+|"
            r"\b(?:UNIQUE|NOT NULL|FOREIGN KEY) constraint failed\b|"
            r"syntax error at or near \"|\bORA-\d{5}\b"
        ),
    ),
    (
        "framework debug page",
        re.compile(
            r"Werkzeug Debugger|werkzeug\.debug|The debugger caught an exception|"
            r"<title>[^<]*// Werkzeug Debugger</title>|starlette\.middleware\.errors|"
            r"<title>Starlette Debugger</title>|Django Version:|"
            r"You're seeing this error because you have <code>DEBUG = True</code>"
        ),
    ),
)

# Each kind's advice, for the finding's fix text (DG207).
LEAK_FIXES: dict[str, str] = {
    "SQL error": "catch the database driver's errors and answer a fixed message; the "
    "SQL text, table and column names stay in the log",
    "framework debug page": "turn the framework's debug mode off in every deployed "
    "configuration (Flask/Werkzeug debug, Starlette(debug=True), Django DEBUG)",
    "Python traceback": "answer a fixed 500 message and log the traceback server-side",
    "Java stack trace": "map exceptions to fixed error bodies and log the stack trace",
}


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
