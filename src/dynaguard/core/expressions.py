"""DynamoDB expression text: which arguments hold it and which of its words are names.

Shared by the scanner (DG107, DG108 read expressions) and the fixer (DG108 aliases the
names): one tokenizer, so that the word a rule reports is the word the fix rewrites.
Grammar from https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.html
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = [
    "ADD_ACTION",
    "CLAUSES",
    "EXPRESSIONS",
    "NAMES",
    "OPERATORS",
    "TOKEN",
    "bare_names",
    "is_atomic_update",
    "is_function",
    "requires_item",
    "top_level_split",
    "update_clauses",
]

# The five arguments whose value is expression text.
EXPRESSIONS = (
    "UpdateExpression",
    "ConditionExpression",
    "KeyConditionExpression",
    "FilterExpression",
    "ProjectionExpression",
)
NAMES = "ExpressionAttributeNames"
# Expression grammar words: operators of conditions and the clauses of an update.
OPERATORS = frozenset({"AND", "OR", "NOT", "BETWEEN", "IN"})
CLAUSES = frozenset({"SET", "REMOVE", "ADD", "DELETE"})
CLAUSE = re.compile(r"\b(SET|REMOVE|ADD|DELETE)\b", re.I)
# A bare word: `#alias` and `:value` placeholders are not names.
TOKEN = re.compile(r"(?<![#:\w])([A-Za-z_]\w*)")


def is_function(text: str, end: int) -> bool:
    """Whether the word ending at `end` is called (`size(...)`, `begins_with(...)`)."""
    return text[end:].lstrip().startswith("(")


def _words(text: str, kind: str) -> Iterator[str]:
    """The words of an expression that name attributes (functions and grammar skipped)."""
    for m in TOKEN.finditer(text):
        word = m.group(1)
        if is_function(text, m.end()):
            continue
        upper = word.upper()
        if kind == "UpdateExpression" and upper in CLAUSES:
            continue  # `SET a = :v`: the clause keyword
        if kind != "UpdateExpression" and upper in OPERATORS:
            continue
        yield word


def bare_names(text: str, kind: str, reserved: frozenset[str]) -> list[str]:
    """Reserved words (upper-case set) used as bare attribute names in one expression."""
    out: list[str] = []
    for word in _words(text, kind):
        if word.upper() in reserved and word not in out:
            out.append(word)
    return out


def update_clauses(text: str) -> list[tuple[str, list[str]]]:
    """(verb, its comma-separated actions) of an UpdateExpression: `SET a = :a, b = :b`."""
    pieces = CLAUSE.split(text)
    return [
        (verb.upper(), top_level_split(body))
        for verb, body in zip(pieces[1::2], pieces[2::2], strict=False)
    ]


def top_level_split(text: str) -> list[str]:
    """Split on commas outside parentheses (`a = if_not_exists(a, :z), b = :b`)."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            out.append(text[start:i])
            start = i + 1
    return [*out, text[start:]]


_ATOMIC_SET = re.compile(
    r"^\s*(#?\w+)\s*=\s*(?:(\1)\s*[+-]\s*:\w+|:\w+\s*\+\s*(\1)|if_not_exists\s*\(\s*\1\s*,\s*:\w+\s*\)"
    r"(?:\s*[+-]\s*:\w+)?|list_append\s*\(\s*(?:\1\s*,\s*:\w+|:\w+\s*,\s*\1)\s*\))\s*$",
    re.I,
)


def is_atomic_update(text: str) -> bool:
    """True when an UpdateExpression only increments, appends or adds (no blind SET/REMOVE)."""
    if CLAUSE.split(text, maxsplit=1)[0].strip():
        return False
    clauses = update_clauses(text)
    for verb, actions in clauses:
        if verb in ("REMOVE", "DELETE"):
            return False
        if verb == "SET" and not all(_ATOMIC_SET.match(a) for a in actions):
            return False
    return bool(clauses)


_EXISTS = re.compile(r"\battribute_exists\s*\(", re.I)
_NEGATION = re.compile(r"\b(NOT|OR)\b", re.I)


def requires_item(text: str) -> bool:
    """A ConditionExpression a missing item fails for certain: an `attribute_exists(...)`
    conjunct, with no NOT or OR anywhere that could turn it around (conservative: such a
    condition is read as not requiring the item)."""
    return bool(_EXISTS.search(text)) and not _NEGATION.search(text)


# one ADD action adding a placeholder to what is there (`ADD likes :one`): its placeholder
ADD_ACTION = re.compile(r"^\s*#?\w+\s+(:\w+)\s*$")
