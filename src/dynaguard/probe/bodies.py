"""Valid request bodies from schemas: examples and defaults first, then generated values.

Free-text strings carry a marker (`dgp-alice-3`) so a later read can prove whose data it
shows. Anything the simple synthesiser cannot satisfy (patterns, odd combinations) goes to
hypothesis-jsonschema with a fixed seed, so two runs send the same bodies.
"""

from __future__ import annotations

import importlib
import re
import uuid
from typing import cast

from dynaguard.core.findings import JSON
from dynaguard.probe.heuristics import OWNER_NAMES, SERVER_FIELDS, norm
from dynaguard.probe.spec import Schema

MAX_DEPTH = 6
_SKIP = {*OWNER_NAMES, *SERVER_FIELDS, "id"}


def _first_type(schema: Schema) -> str | None:
    t = schema.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), None)
    if isinstance(t, str):
        return t
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return None


def _merge_all_of(schema: Schema) -> Schema:
    parts = schema.get("allOf")
    if not isinstance(parts, list):
        return schema
    merged: dict[str, JSON] = {k: v for k, v in schema.items() if k != "allOf"}
    props: dict[str, JSON] = dict(cast(dict[str, JSON], merged.get("properties") or {}))
    required: list[JSON] = list(cast(list[JSON], merged.get("required") or []))
    for raw in parts:
        if isinstance(raw, dict):
            part = _merge_all_of(raw)
            props.update(cast(dict[str, JSON], part.get("properties") or {}))
            required += cast(list[JSON], part.get("required") or [])
            merged.update({k: v for k, v in part.items() if k not in ("properties", "required")})
    merged["properties"] = props
    merged["required"] = required
    return merged


def synthesize(schema: Schema, marker: str, name: str = "", depth: int = 0) -> JSON:
    """A value for the schema; free-text strings carry the marker."""
    schema = _merge_all_of(schema)
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list):
            usable = [o for o in options if isinstance(o, dict) and o.get("type") != "null"]
            if usable:
                return synthesize(usable[0], marker, name, depth)
    if "const" in schema:
        return schema["const"]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    kind = _first_type(schema)
    if kind == "string" and not ({"format", "pattern"} & schema.keys()):
        return _text(schema, f"{marker}-{name}" if name else marker)
    for key in ("example", "default"):
        if key in schema:
            return schema[key]
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    return _by_type(kind, schema, marker, name, depth)


def _by_type(kind: str | None, schema: Schema, marker: str, name: str, depth: int) -> JSON:
    if kind == "object" and depth < MAX_DEPTH:
        props = cast(dict[str, JSON], schema.get("properties") or {})
        required = set(cast(list[str], schema.get("required") or []))
        out: dict[str, JSON] = {}
        for prop, sub in props.items():
            if not isinstance(sub, dict) or sub.get("readOnly"):
                continue
            # Server-controlled fields are the mass-assignment probe's job, not every body's.
            if prop not in required and norm(prop) in _SKIP:
                continue
            out[prop] = synthesize(sub, marker, prop, depth + 1)
        return out
    if kind == "array" and depth < MAX_DEPTH:
        items = schema.get("items")
        count = max(1, int(cast(int, schema.get("minItems") or 0)))
        sub = items if isinstance(items, dict) else {}
        return [synthesize(sub, f"{marker}{i}", name, depth + 1) for i in range(count)]
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        value = (int(low) if isinstance(low, (int, float)) else 0) + 1
        high = schema.get("maximum")
        if isinstance(high, (int, float)) and value > high:
            value = int(high)
        return value if kind == "integer" else float(value)
    if kind == "boolean":
        return True
    if kind == "string":
        return _formatted(schema, marker, name)
    return f"{marker}-{name}" if name else marker


def _text(schema: Schema, text: str) -> str:
    low = schema.get("minLength")
    high = schema.get("maxLength")
    if isinstance(low, int) and len(text) < low:
        text = text + "x" * (low - len(text))
    if isinstance(high, int) and len(text) > high:
        text = text[-high:] if high > 0 else ""
    return text


def _formatted(schema: Schema, marker: str, name: str) -> str:
    fmt = schema.get("format")
    formats = {
        "email": f"{marker}@example.com",
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{marker}-{name}")),
        "date-time": "2024-01-02T03:04:05Z",
        "date": "2024-01-02",
        "uri": f"https://example.com/{marker}",
        "url": f"https://example.com/{marker}",
        "ipv4": "192.0.2.1",
    }
    if isinstance(fmt, str) and fmt in formats and "pattern" not in schema:
        return formats[fmt]
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        # A unique value that fits the pattern: a generated one is the same on every call,
        # and a second create with it collides with the first (409, or an overwrite).
        fitting = _fitting(pattern, schema, f"{marker}-{name}" if name else marker)
        if fitting is not None:
            return fitting
    generated = generate(schema)
    return generated if isinstance(generated, str) else _text(schema, f"{marker}-{name}")


def _fitting(pattern: str, schema: Schema, marker: str) -> str | None:
    """The first marker-bearing candidate that matches the pattern and the length bounds."""
    try:
        compiled = re.compile(pattern)
    except re.error:
        return None
    plain = marker.replace("-", "")
    digest = uuid.uuid5(uuid.NAMESPACE_URL, marker)
    for text in (
        f"{marker}@example.com",
        marker,
        marker.upper(),
        plain,
        plain.upper(),
        marker.replace("-", "_"),
        digest.hex,
        str(digest),
        str(digest.int)[:18],
    ):
        candidate = _text(schema, text)
        if compiled.search(candidate):
            return candidate
    return None


def generate(schema: Schema) -> JSON:
    """One deterministic example from hypothesis-jsonschema, or None when it cannot."""
    try:
        from hypothesis import HealthCheck, Phase, given, settings
        from hypothesis_jsonschema import from_schema
    except ImportError:
        return None
    found: list[JSON] = []

    @settings(
        derandomize=True,
        max_examples=1,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(from_schema(schema))
    def grab(value: JSON) -> None:
        found.append(value)

    try:
        grab()
    except Exception:  # an unsatisfiable or unsupported schema: the caller falls back
        return None
    return found[0] if found else None


def valid(schema: Schema, value: JSON) -> bool:
    """Whether the value validates (True when jsonschema is not installed)."""
    try:
        # Imported by name: jsonschema ships no type stubs, and it is optional here.
        jsonschema = importlib.import_module("jsonschema")
    except ImportError:
        return True
    try:
        jsonschema.validate(value, schema)
    except jsonschema.ValidationError:
        return False
    except jsonschema.SchemaError:
        return True  # the spec's schema is itself broken: send our best guess
    return True


def body_for(schema: Schema, marker: str) -> JSON:
    """A request body: synthesized with the marker, or generated when that does not validate."""
    value = synthesize(schema, marker)
    if valid(schema, value):
        return value
    generated = generate(schema)
    return generated if generated is not None else value
