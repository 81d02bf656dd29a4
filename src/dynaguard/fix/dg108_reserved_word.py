"""DG108 fix: alias reserved words through ExpressionAttributeNames.

`UpdateExpression="SET status = :s"` becomes `"SET #status = :s"` with
`ExpressionAttributeNames={"#status": "status"}`, merged into the names the call (or
the transaction item) already has: a literal dict gets the new entries, any other
expression is spread into a new dict (`{**names, "#status": "status"}`). Only plain
string literals are rewritten; an expression built at run time (a constant elsewhere,
an f-string, a join) is left for a person, with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import libcst as cst

from dynaguard.core.expressions import EXPRESSIONS, NAMES, TOKEN, is_function
from dynaguard.core.findings import Finding
from dynaguard.fix._cst import LineTransformer, append_arg, append_element, literal, parse, string

__all__ = ["EXPRESSIONS", "NAMES", "aliased", "fix"]


def fix(
    text: str, findings: Sequence[Finding]
) -> tuple[str, list[Finding], list[tuple[Finding, str]]]:
    """Alias the reported words in the calls the findings point at."""
    targets: dict[int, list[Finding]] = {}
    for f in findings:
        targets.setdefault(f.line or 0, []).append(f)
    transformer = _Alias({line: _words(fs) for line, fs in targets.items()})
    new = parse(text).visit(transformer).code
    fixed = [f for line in transformer.done for f in targets[line]]
    skipped = [
        (f, "the expression is not a string literal in the call; alias the names by hand")
        for line, fs in targets.items()
        if line not in transformer.done
        for f in fs
    ]
    return new, fixed, skipped


def _words(findings: list[Finding]) -> set[str]:
    words: set[str] = set()
    for f in findings:
        listed = f.evidence.get("words")
        if isinstance(listed, list):
            words |= {w for w in listed if isinstance(w, str)}
    return words


def aliased(expression: str, words: set[str], names: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The expression with each bare reserved word as `#word`, and the aliases it needs."""
    wanted = {w.lower() for w in words}
    added: dict[str, str] = {}

    def alias(m: re.Match[str]) -> str:
        word = m.group(1)
        if word.lower() not in wanted or is_function(expression, m.end()):
            return word
        name = _free_alias(word, {**names, **added})
        added[name] = word
        return name

    return TOKEN.sub(alias, expression), added


def _free_alias(word: str, taken: dict[str, str]) -> str:
    """`#word`, or `#word_2`... when `#word` already names another attribute."""
    candidate, n = f"#{word}", 1
    while candidate in taken and taken[candidate] != word:
        n += 1
        candidate = f"#{word}_{n}"
    return candidate


def _literal_names(node: cst.BaseExpression | None) -> dict[str, str] | None:
    """The entries of a literal names dict ({} when absent); None when not a literal."""
    if node is None:
        return {}
    if not isinstance(node, cst.Dict):
        return None
    out: dict[str, str] = {}
    for el in node.elements:
        if not isinstance(el, cst.DictElement):
            return None
        key, value = literal(el.key), literal(el.value)
        if key is None or value is None:
            return None
        out[key] = value
    return out


def _merged(old: cst.BaseExpression | None, added: dict[str, str]) -> cst.BaseExpression:
    """The names value with the new aliases: entries appended, or a spread of the old value."""
    new = [
        cst.DictElement(string(k), string(v))
        for k, v in added.items()
        if not (isinstance(old, cst.Dict) and k in (_literal_names(old) or {}))
    ]
    if isinstance(old, cst.Dict):
        elements: list[cst.BaseDictElement] = list(old.elements)
        for el in new:
            elements = append_element(elements, el)
        return old.with_changes(elements=elements)
    if old is None:
        return cst.Dict(elements=[e.with_changes(comma=cst.MaybeSentinel.DEFAULT) for e in new])
    return cst.Dict(elements=[cst.StarredDictElement(old), *new])


class _Alias(LineTransformer):
    def __init__(self, targets: dict[int, set[str]]) -> None:
        super().__init__()
        self.targets = targets
        self.done: set[int] = set()
        self._line: list[int | None] = []

    def visit_Call(self, node: cst.Call) -> None:
        line = self.line_of(node)
        self._line.append(line if line in self.targets and line not in self.done else None)

    def leave_Dict(self, original: cst.Dict, updated: cst.Dict) -> cst.BaseExpression:
        # A transaction item: {"Update": {"UpdateExpression": ..., "ExpressionAttributeNames": ...}}
        line = next((n for n in reversed(self._line) if n is not None), None)
        if line is None:
            return updated
        pairs = {literal(e.key): e for e in updated.elements if isinstance(e, cst.DictElement)}
        if not any(k in EXPRESSIONS for k in pairs):
            return updated
        names = pairs.get(NAMES)
        values = {k: e.value for k, e in pairs.items() if k in EXPRESSIONS}
        result = self._rewrite(values, names.value if names else None, line)
        if result is None:
            return updated
        exprs, merged = result
        elements = [
            e.with_changes(value=exprs[literal(e.key) or ""])
            if isinstance(e, cst.DictElement) and literal(e.key) in exprs
            else e.with_changes(value=merged)
            if isinstance(e, cst.DictElement) and literal(e.key) == NAMES
            else e
            for e in updated.elements
        ]
        if names is None:
            elements = append_element(elements, cst.DictElement(string(NAMES), merged))
        return updated.with_changes(elements=elements)

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        line = self._line.pop()
        if line is None:
            return updated
        kwargs = {a.keyword.value: a for a in updated.args if a.keyword is not None}
        if any(a.star == "**" for a in updated.args):
            return updated  # names may come from **kwargs: not a mechanical change
        values = {k: a.value for k, a in kwargs.items() if k in EXPRESSIONS}
        names = kwargs.get(NAMES)
        result = self._rewrite(values, names.value if names else None, line) if values else None
        if result is None:
            return updated
        exprs, merged = result
        args = [
            a.with_changes(value=exprs[a.keyword.value])
            if a.keyword is not None and a.keyword.value in exprs
            else a.with_changes(value=merged)
            if a.keyword is not None and a.keyword.value == NAMES
            else a
            for a in updated.args
        ]
        if names is None:
            new = cst.Arg(
                keyword=cst.Name(NAMES),
                value=merged,
                equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""),
                    whitespace_after=cst.SimpleWhitespace(""),
                ),
            )
            args = append_arg(args, new)
        return updated.with_changes(args=args)

    def _rewrite(
        self, values: dict[str, cst.BaseExpression], names: cst.BaseExpression | None, line: int
    ) -> tuple[dict[str, cst.BaseExpression], cst.BaseExpression] | None:
        """New expression literals and names value, or None when nothing (safely) changes."""
        known = _literal_names(names) or {}
        exprs: dict[str, cst.BaseExpression] = {}
        added: dict[str, str] = {}
        for key, node in values.items():
            text = literal(node)
            if text is None:
                continue
            new_text, more = aliased(text, self.targets[line], {**known, **added})
            if new_text != text:
                assert isinstance(node, cst.SimpleString)
                exprs[key] = string(new_text, node)
                added.update(more)
        if not added:
            return None
        self.done.add(line)
        return exprs, _merged(names, added)
