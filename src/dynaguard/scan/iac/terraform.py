"""Terraform (.tf through python-hcl2 when installed, and .tf.json) -> Statements."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace

from dynaguard.scan.iac.located import LDict, line_of, load_json
from dynaguard.scan.iac.model import Managed, Statement
from dynaguard.scan.iac.policy import Reader

POLICY_RESOURCES = frozenset(
    {"aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"}
)
COGNITO = "cognito-identity.amazonaws.com"
Block = tuple[str, str, str, Mapping[str, object], int]  # kind, type, name, body, line


def load_tf(text: str) -> object:
    """A .tf file parsed with python-hcl2 (ImportError when it is not installed)."""
    import hcl2

    options = hcl2.SerializationOptions(strip_string_quotes=True, with_comments=False)
    return hcl2.loads(text, serialization_options=options)


def read(doc: object, text: str, path: str) -> tuple[list[Statement], list[Managed]]:
    """Every grant of one Terraform file (parsed .tf or located .tf.json)."""
    lines = text.splitlines()
    blocks = list(_blocks(doc, lines))
    tables = {
        f"aws_dynamodb_table.{name}": str(body.get("name", name))
        for kind, typ, name, body, _ in blocks
        if kind == "resource" and typ == "aws_dynamodb_table"
    }
    reader = Reader(path, "terraform", tables)
    roles = {n for k, t, n, b, _ in blocks if t == "aws_iam_role" and COGNITO in repr(b)}
    per_user_docs: set[str] = set()
    for _, typ, _, body, _ in blocks:
        if typ == "aws_iam_role_policy" and any(
            f"aws_iam_role.{r}." in str(body.get("role")) for r in roles
        ):
            per_user_docs |= set(
                re.findall(r"data\.aws_iam_policy_document\.(\w+)", str(body.get("policy")))
            )
    stmts: list[Statement] = []
    managed: list[Managed] = []
    for kind, typ, name, body, line in blocks:
        found: list[Statement] = []
        if kind == "data" and typ == "aws_iam_policy_document":
            # each `statement {` block in order: its actions are searched from its own header
            heads = [i + 1 for i in range(line - 1, len(lines)) if STATEMENT.match(lines[i])]
            for k, st in enumerate(_as_list(body.get("statement"))):
                if isinstance(st, Mapping):
                    at = heads[k] if k < len(heads) else line
                    got = reader.statement(st, name in per_user_docs, at)
                    stmts += [_refined(g, lines, at) for g in got]
        elif kind == "resource" and typ in POLICY_RESOURCES:
            mine = any(f"aws_iam_role.{r}." in str(body.get("role")) for r in roles)
            found += reader.document(_policy(body.get("policy")), mine)
        elif kind == "resource" and typ == "aws_iam_role":
            for inline in _as_list(body.get("inline_policy")):
                if isinstance(inline, Mapping):
                    found += reader.document(_policy(inline.get("policy")), name in roles)
            for arn in _as_list(body.get("managed_policy_arns")):
                managed.append(Managed(path, _near(lines, str(arn), line), str(arn), "terraform"))
        elif kind == "resource" and typ.endswith("_policy_attachment"):
            arn = str(body.get("policy_arn", ""))
            managed.append(Managed(path, _near(lines, arn, line), arn, "terraform"))
        stmts += [_refined(s, lines, line) for s in found]
    return stmts, managed


def environment(doc: object, text: str) -> dict[str, str]:
    """`aws_lambda_function` environment variables, by the table they name
    (`ORDERS_TABLE = aws_dynamodb_table.orders.name`)."""
    blocks = list(_blocks(doc, text.splitlines()))
    tables = {
        f"aws_dynamodb_table.{name}": str(body.get("name", name))
        for kind, typ, name, body, _ in blocks
        if kind == "resource" and typ == "aws_dynamodb_table"
    }
    reader = Reader("", "terraform", tables)
    out: dict[str, str] = {}
    for kind, typ, _, body, _ in blocks:
        if kind != "resource" or typ != "aws_lambda_function":
            continue
        for env in _as_list(body.get("environment")):
            variables = env.get("variables") if isinstance(env, Mapping) else None
            for var, value in variables.items() if isinstance(variables, Mapping) else []:
                name = reader.table_of(value)
                if name:
                    out[str(var)] = name
    return out


def _blocks(doc: object, lines: list[str]) -> Iterator[Block]:
    """(kind, type, name, body, line) of every resource and data block, hcl2 or JSON shape."""
    if not isinstance(doc, Mapping):
        return
    for kind in ("resource", "data"):
        groups = doc.get(kind)
        for group in groups if isinstance(groups, list) else [groups]:
            if not isinstance(group, Mapping):
                continue
            for typ, named in group.items():
                for name, given in named.items() if isinstance(named, Mapping) else []:
                    # .tf.json allows a list of bodies
                    body = given[0] if isinstance(given, list) and given else given
                    if isinstance(body, Mapping):
                        line = line_of(body, 0) or _header(lines, kind, typ, name)
                        yield kind, typ, name, body, line


STATEMENT = re.compile(r"^\s*statement\s*\{")


def _header(lines: list[str], kind: str, typ: str, name: str) -> int:
    pattern = re.compile(rf'^\s*{kind}\s+"?{re.escape(typ)}"?\s+"?{re.escape(name)}"?')
    return next((i + 1 for i, text in enumerate(lines) if pattern.match(text)), 1)


def _near(lines: list[str], needle: str, start: int) -> int:
    for i in range(max(start - 1, 0), len(lines)):
        if needle and needle in lines[i]:
            return i + 1
    return start


def _refined(st: Statement, lines: list[str], start: int) -> Statement:
    """A statement's line: where its first action is written, at or after its block."""
    if st.line > start or not st.actions:
        return st
    return replace(st, line=_near(lines, st.actions[0], start))


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _policy(value: object) -> object:
    """A policy attribute: JSON text, a heredoc, or jsonencode({...}) in HCL syntax."""
    if isinstance(value, Mapping):
        return value
    text = str(value or "").strip()
    if text.startswith("<<"):
        text = "\n".join(text.splitlines()[1:-1])
    if text.startswith("${jsonencode(") and text.endswith(")}"):
        return hcl_object(text[len("${jsonencode(") : -2])
    try:
        return json.loads(text)
    except ValueError:
        return None


TOKEN = re.compile(r'\s*("(?:[^"\\]|\\.)*"|[{}\[\],:=]|[^\s{}\[\],:="]+)')


def hcl_object(text: str) -> object:
    """An HCL object/tuple expression as data (references become "${...}" strings)."""
    out: list[str] = []
    tokens = [t for t in TOKEN.findall(text) if t]
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if tok == "=":
            out.append(":")
        elif tok.startswith('"') or tok in "{}[],:":
            out.append(tok)
        elif nxt in ("=", ":"):
            out.append(json.dumps(tok))  # a bare key
        else:
            out.append(json.dumps(tok if tok in ("true", "false") else "${" + tok + "}"))
    try:
        return json.loads("".join(out).replace(",}", "}").replace(",]", "]"))
    except ValueError:
        return None


def load_tf_json(text: str) -> object:
    """A .tf.json file, located."""
    found = load_json(text)
    return found if isinstance(found, LDict) else None
