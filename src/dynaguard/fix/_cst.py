"""libcst helpers the fixers share: calls by line, arguments and dict entries appended
in the surrounding style, imports added once."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider


def parse(text: str) -> MetadataWrapper:
    """The module with positions available."""
    return MetadataWrapper(cst.parse_module(text))


def literal(node: cst.BaseExpression) -> str | None:
    """The value of a plain string literal (no f-string, no concatenation), else None."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def string(text: str, like: cst.SimpleString | None = None) -> cst.SimpleString:
    """A string literal with the quote style of `like` (double quotes by default)."""
    quote: str = like.quote if like is not None and like.quote in ('"', "'") else '"'
    other = "'" if quote == '"' else '"'
    if quote in text and other not in text:
        quote = other
    body = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return cst.SimpleString(f"{quote}{body}{quote}")


def append_arg(args: Sequence[cst.Arg], new: cst.Arg) -> list[cst.Arg]:
    """The arguments with `new` last, taking the layout the last argument had."""
    if not args:
        return [new]
    last = args[-1]
    between = args[-2].comma if len(args) > 1 else cst.MaybeSentinel.DEFAULT
    if not isinstance(between, cst.Comma):
        between = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    return [*args[:-1], last.with_changes(comma=between), new.with_changes(comma=last.comma)]


def append_element(
    elements: Sequence[cst.BaseDictElement], new: cst.DictElement
) -> list[cst.BaseDictElement]:
    """The dict entries with `new` last, in the layout of the entries before it."""
    if not elements:
        return [new]
    last = elements[-1]
    between = elements[-2].comma if len(elements) > 1 else cst.MaybeSentinel.DEFAULT
    if not isinstance(between, cst.Comma):
        between = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    return [*elements[:-1], last.with_changes(comma=between), new.with_changes(comma=last.comma)]


class LineTransformer(cst.CSTTransformer):
    """A transformer that knows each node's first line."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def line_of(self, node: cst.CSTNode) -> int:
        """The 1-based line a node starts on."""
        return int(self.get_metadata(PositionProvider, node).start.line)


def ensure_import(module: cst.Module, name: str) -> cst.Module:
    """`import name` added unless present: in sorted place in the first import block (where
    the standard library usually is), else after the docstring and __future__ imports."""
    body = list(module.body)
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Import) and any(
                    isinstance(a.name, cst.Name) and a.name.value == name and a.asname is None
                    for a in small.names
                ):
                    return module
    line = cst.parse_statement(f"import {name}\n")
    first = next((i for i, s in enumerate(body) if _is_import(s) and not _is_future(s)), None)
    if first is None:
        index = 0
        for i, stmt in enumerate(body):
            if _is_docstring(stmt, i) or _is_future(stmt):
                index = i + 1
        return module.with_changes(body=[*body[:index], line, *body[index:]])
    last = first
    while last + 1 < len(body) and _is_import(body[last + 1]) and not _blank_before(body[last + 1]):
        last += 1
    index = next((j for j in range(first, last + 1) if _sorts_after(body[j], name)), last + 1)
    if index == first:  # the new line opens the block: it takes the block's spacing
        assert isinstance(line, cst.SimpleStatementLine)
        line = line.with_changes(leading_lines=body[first].leading_lines)
        body[first] = body[first].with_changes(leading_lines=[])
    return module.with_changes(body=[*body[:index], line, *body[index:]])


def _is_import(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Import | cst.ImportFrom)
    )


def _blank_before(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and bool(stmt.leading_lines)


def _sorts_after(stmt: cst.CSTNode, name: str) -> bool:
    """`from ...` lines follow every `import x` line; `import x` lines are sorted by name."""
    assert isinstance(stmt, cst.SimpleStatementLine)
    small = stmt.body[0]
    if isinstance(small, cst.ImportFrom):
        return True
    assert isinstance(small, cst.Import)
    first = cst.Module([]).code_for_node(small.names[0].name)
    return first.lower() > name.lower()


def _is_docstring(stmt: cst.CSTNode, index: int) -> bool:
    return (
        index == 0
        and isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def _is_future(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.ImportFrom)
        and isinstance(stmt.body[0].module, cst.Name)
        and stmt.body[0].module.value == "__future__"
    )
