"""Call-level facts the DG107-DG119 rules need and `scan.query` does not answer yet.

Like `_routes`, each function is one question over today's index, kept here so the
rules use only `scan.query` and these names; they move into the query API unchanged.
"""

from __future__ import annotations

import ast
import re

from dynaguard.scan.flow import _CLAUSE, _top_level_split, item_value, key_value
from dynaguard.scan.iac.model import IacFacts
from dynaguard.scan.index import Project, Site
from dynaguard.scan.model import DynamoCall, HandleKind
from dynaguard.scan.provenance import Origin, Value, join
from dynaguard.scan.report import KEY_NAME, OWNER_NAME

WORD = re.compile(r"#?[A-Za-z_]\w*")
PAGING = frozenset({"LastEvaluatedKey", "ExclusiveStartKey", "last_evaluated_key"})


def attribute_names(project: Project, call: DynamoCall, site: Site) -> dict[str, str]:
    """ExpressionAttributeNames placeholders that resolve to one known name."""
    value = project.values.arg(call, "ExpressionAttributeNames", site.frame)
    return {
        k: next(iter(v.texts))
        for k, v in (value.fields if value else None) or ()
        if len(v.texts) == 1
    }


def set_attributes(project: Project, call: DynamoCall, site: Site) -> list[str]:
    """Attribute names an update SETs (placeholders resolved; PynamoDB `Model.attr.set`)."""
    if call.handle.kind is HandleKind.PYNAMODB_ITEM:
        actions = call.args.get("actions") or (call.positional[0] if call.positional else None)
        return [
            n.func.value.attr
            for n in (ast.walk(actions) if actions is not None else ())
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "set"
            and isinstance(n.func.value, ast.Attribute)
        ]
    expr = call.args.get("UpdateExpression")
    text = project.values.text(expr, site.frame) if expr is not None else None
    if text is None:
        return []
    names = attribute_names(project, call, site)
    pieces = _CLAUSE.split(text)
    out: list[str] = []
    for verb, body in zip(pieces[1::2], pieces[2::2], strict=False):
        if verb.upper() == "SET":
            for assignment in _top_level_split(body):
                left = assignment.split("=", 1)[0].strip()
                out.append(names.get(left, left))
    return out


def condition_names(project: Project, call: DynamoCall, site: Site) -> set[str]:
    """Attribute names a condition mentions (text, placeholders, Attr(...), model attributes)."""
    arg = "condition" if call.handle.kind is HandleKind.PYNAMODB_ITEM else "ConditionExpression"
    expr = call.args.get(arg)
    if expr is None:
        return set()
    value = project.values.of(expr, site.frame)
    words = {w for s in value.strings | value.texts for w in WORD.findall(s)}
    words |= {n.attr for n in ast.walk(expr) if isinstance(n, ast.Attribute)}
    names = attribute_names(project, call, site)
    return words | {names[w] for w in words if w in names}


def transact_items(project: Project, call: DynamoCall, site: Site) -> list[tuple[str, Value]]:
    """(action, body) of each literal TransactItems entry (Update/Delete/Put/ConditionCheck)."""
    expr = call.args.get("TransactItems")
    found = [expr] if expr is not None else []
    if isinstance(expr, ast.Name):  # items = [...]; transact_write_items(TransactItems=items)
        found = project.locals_of(site.frame).assigns.get(expr.id, [])
    elements = [e for f in found if isinstance(f, ast.List | ast.Tuple) for e in f.elts]
    parts = [project.values.of(e, site.frame) for e in elements]
    return [(action, body) for v in parts for action, body in v.fields or ()]


def key_attributes(item: Value) -> Value:
    """The key-like attributes of an item (id, pk, sk, *_id...)."""
    return join(*(v for k, v in item.fields or () if KEY_NAME.match(k)))


def scan_filters(project: Project, call: DynamoCall, site: Site) -> list[Value]:
    """What may filter a scan: FilterExpression, PynamoDB filter conditions, **kwargs."""
    parts = [project.values.of(a, site.frame) for a in [*call.positional, *call.spread]]
    for name in ("FilterExpression", "filter_condition"):
        found = project.values.arg(call, name, site.frame)
        parts += [found] if found is not None else []
    return parts


def paginates(site: Site) -> bool:
    """Whether the function around a call follows LastEvaluatedKey / ExclusiveStartKey."""
    fn = site.frame.fn
    if fn is None:
        return False
    names = {n.value for n in ast.walk(fn.node) if isinstance(n, ast.Constant)}
    names |= {n.attr for n in ast.walk(fn.node) if isinstance(n, ast.Attribute)}
    return bool(names & PAGING)


def per_user_tables(project: Project) -> dict[str, bool]:
    """Tables the project writes, by whether some write stores a per-user attribute
    (an owner-like name, or a value from the principal). Unwritten tables are absent."""
    out: dict[str, bool] = {}
    for call in project.calls:
        table = call.handle.table
        if not call.is_write or table is None:
            continue
        mine = out.get(table, False)
        for site in project.sites(call):
            for value in (
                item_value(project, call, site.frame),
                key_value(project, call, site.frame),
            ):
                if value is not None:
                    owner_like = any(OWNER_NAME.match(k) for k, _ in value.fields or ())
                    mine = mine or owner_like or Origin.PRINCIPAL in value.origins()
        out[table] = mine
    return out


def code_tables(project: Project) -> dict[str, bool]:
    """Table names the code uses (compared by `norm_table`), by whether it ever writes them."""
    out: dict[str, bool] = {}
    for call in project.calls:
        name = call.handle.table
        if call.handle.kind in (HandleKind.PYNAMODB_MODEL, HandleKind.PYNAMODB_ITEM):
            cls = project.classes.get(name or "")
            name = cls.table_name if cls else None
        if name:
            key = norm_table(name)
            out[key] = out.get(key, False) or call.is_write
    return out


def only_read(table: str, usage: dict[str, bool]) -> bool:
    """Whether the code uses the table (names match up to stage prefixes) and never writes it."""
    t = norm_table(table)
    hits = [w for n, w in usage.items() if n and (n == t or n.endswith(t) or t.endswith(n))]
    return bool(hits) and not any(hits)


def norm_table(name: str) -> str:
    """A table name compared without case and punctuation (`Orders-Table` ~ `orderstable`)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def iac(project: Project) -> IacFacts:
    """The IAM grants read from the IaC files beside the code."""
    return project.iac
