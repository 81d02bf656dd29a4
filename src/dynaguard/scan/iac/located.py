"""YAML and JSON read with line numbers: dicts and lists that remember where they start.

CloudFormation short-form tags (`!Ref`, `!GetAtt`, `!Sub`...) are kept as
`{"Ref": ...}`-style dicts; unknown tags never fail the load (the tree is composed, not
constructed). JSON is read through the same YAML composer (JSON is YAML's flow style),
so both give node marks; a document YAML 1.1 cannot read falls back to `json` with
lines found by searching the text.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml


class LDict(dict[str, Any]):
    """A mapping with the (1-based) line where it starts."""

    line = 0


class LList(list[Any]):
    """A sequence with the (1-based) line where it starts."""

    line = 0


class LStr(str):
    """A string scalar with its line (a managed policy named in a list)."""

    line = 0


def line_of(value: object, default: int = 1) -> int:
    """The line a located value starts on."""
    return getattr(value, "line", 0) or default


def load_yaml(text: str) -> list[object]:
    """Every document of a YAML stream, located."""
    # libyaml's composer when PyYAML was built with it: the same nodes and marks, 10x faster
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return [_plain(doc) for doc in yaml.compose_all(text, Loader=loader) if doc]


def load_json(text: str) -> object:
    """A JSON document, located (through YAML when it can, else by text search)."""
    try:
        docs = load_yaml(text.replace("\t", " "))
        if len(docs) == 1:
            return docs[0]
    except yaml.YAMLError:
        pass
    return _searched(json.loads(text), text.splitlines())


def _plain(node: yaml.Node) -> object:
    line = node.start_mark.line + 1
    tag = node.tag if node.tag.startswith("!") and not node.tag.startswith("!!") else None
    if isinstance(node, yaml.MappingNode):
        mapping = LDict((str(_plain(k)), _plain(v)) for k, v in node.value)
        # a JSON object's `{` may sit alone on its line: point at its first key
        mapping.line = node.value[0][0].start_mark.line + 1 if node.value else line
        out: object = mapping
    elif isinstance(node, yaml.SequenceNode):
        items = LList(_plain(v) for v in node.value)
        items.line = line
        out = items
    else:
        out = _scalar(node)
        if type(out) is str:
            text = LStr(out)
            text.line = line
            out = text
    if tag is not None:  # !GetAtt Table.Arn -> {"Fn::GetAtt": "Table.Arn"}
        name = tag[1:]
        wrapped = LDict({name if name == "Ref" else f"Fn::{name}": out})
        wrapped.line = line
        return wrapped
    return out


def _scalar(node: yaml.Node) -> object:
    value = str(node.value)
    if node.tag == "tag:yaml.org,2002:str" or getattr(node, "style", None) in ("'", '"'):
        return value
    low = value.lower()
    if low in ("true", "false"):
        return low == "true"
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    return None if low in ("null", "~", "") else value


def _searched(value: object, lines: list[str], start: int = 0) -> object:
    """Locate a plain JSON value by the first line (from `start`) naming its first key."""
    if isinstance(value, dict):
        out = LDict()
        first = next(iter(value), None)
        out.line = _find(lines, f'"{first}"', start) if first is not None else start + 1
        for k, v in value.items():
            out[k] = _searched(v, lines, max(out.line - 1, 0))
        return out
    if isinstance(value, list):
        items = LList(_searched(v, lines, start) for v in value)
        items.line = start + 1
        return items
    return value


def _find(lines: list[str], needle: str, start: int) -> int:
    for i in range(start, len(lines)):
        if needle in lines[i]:
            return i + 1
    return start + 1
