"""IAM policy documents (any format, once located) -> Statements."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from dynaguard.scan.iac.located import line_of
from dynaguard.scan.iac.model import Statement

TABLE_ARN = re.compile(r":table/([^/\s\"']+)")
REF = re.compile(r"\$\{([^}]+)\}")


@dataclass
class Reader:
    """Reads policy documents of one file; `tables` maps a logical name to a table name."""

    path: str
    source: str
    tables: Mapping[str, str] = field(default_factory=dict)
    # serverless.yml variables a value may name: `self:custom.ordersTable` -> its text
    variables: Mapping[str, str] = field(default_factory=dict)

    def expand(self, text: str) -> str:
        """A string with the file's own variables (`${self:custom.x}`) written out."""
        if not self.variables or "${" not in text:
            return text
        return REF.sub(lambda m: self.variables.get(m.group(1).strip(), m.group(0)), text)

    def document(self, doc: object, per_user: bool = False) -> Iterator[Statement]:
        """The Allow statements of a policy document ({"Statement": [...]})."""
        if not isinstance(doc, dict):
            return
        found = doc.get("Statement", doc.get("statement"))
        for st in found if isinstance(found, list) else [found]:
            if isinstance(st, dict):
                yield from self.statement(st, per_user, line_of(doc))

    def statement(self, st: Mapping[str, object], per_user: bool, near: int) -> Iterator[Statement]:
        """One statement (Effect/Action/Resource/Condition; lower-case Terraform keys too)."""
        effect = str(_get(st, "Effect", "effect") or "Allow")
        if effect.lower() != "allow":
            return
        actions = _strings(_get(st, "Action", "actions"))
        if not actions and _get(st, "NotAction", "not_actions") is not None:
            actions = ["*"]  # Allow + NotAction grants everything not listed
        resources = _get(st, "Resource", "resources")
        texts = [self.text(r) for r in (resources if isinstance(resources, list) else [resources])]
        texts = [t for t in texts if t]
        yield Statement(
            path=self.path,
            line=line_of(st, near),
            actions=tuple(actions),
            resources=tuple(texts),
            tables=tuple(
                t for t in dict.fromkeys(self.table_of(r) for r in _as_list(resources)) if t
            ),
            condition_keys=tuple(_condition_keys(_get(st, "Condition", "condition"))),
            per_user=per_user,
            source=self.source,
        )

    def text(self, value: object) -> str:
        """A resource rendered as text (intrinsic functions as ${...} references)."""
        if isinstance(value, str):
            return self.expand(value)
        if isinstance(value, dict) and len(value) == 1:
            ((fn, arg),) = value.items()
            if fn == "Ref":
                return "${" + str(arg) + "}"
            if fn == "Fn::GetAtt":
                return "${" + (".".join(map(str, arg)) if isinstance(arg, list) else str(arg)) + "}"
            if fn == "Fn::Sub":
                return self.text(arg[0] if isinstance(arg, list) and arg else arg)
            if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
                return str(arg[0]).join(self.text(p) for p in _as_list(arg[1]))
        return "" if value is None else str(value)

    def table_of(self, value: object) -> str:
        """The table a resource names: an ARN's `table/NAME`, or a reference to a table."""
        text = self.text(value)
        found = TABLE_ARN.search(text)
        name = found.group(1) if found else ""
        ref = REF.fullmatch(text) or (REF.fullmatch(name) if name else None)
        if ref:  # ${OrdersTable} / ${OrdersTable.Arn} / aws_dynamodb_table.orders.arn
            head = ref.group(1).split(".")
            for cand in (ref.group(1), head[0], ".".join(head[:2])):
                if cand in self.tables:
                    return self.tables[cand]
            return ""
        return REF.sub("", name).strip("-_") if name else ""


def _get(st: Mapping[str, object], *names: str) -> object:
    for n in names:
        if n in st:
            return st[n]
    return None


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _strings(value: object) -> list[str]:
    return [str(v) for v in _as_list(value) if isinstance(v, str | int)]


def _condition_keys(cond: object) -> Iterator[str]:
    """Condition keys: CloudFormation {op: {key: v}}, Terraform [{variable = key}]."""
    for part in _as_list(cond):
        if not isinstance(part, dict):
            continue
        if "variable" in part:
            yield str(part["variable"])
            continue
        for inner in part.values():
            if isinstance(inner, dict):
                yield from (str(k) for k in inner)
