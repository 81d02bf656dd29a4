"""Which tables hold per-user data, decided by what the project writes and keys on them.

A table is *per-user* when a PynamoDB model declares an owner-like attribute, or when an
owner-like attribute (`owner`, `user_id`, `tenant_id`... or
a configured `owner_attributes` name) or a value from the principal is ever written to it
(the principal an administrators-only route stores, `updated_by = staff`, is an audit
trail on shared data, not an owner),
or when some operation's key names a user-like attribute or takes the principal, or its
condition or filter compares an attribute with the principal, or the code reads an owner
from its items (`item["tenant_id"]`, a model with `tenant_id` validated from one). A table
the project writes (or only reads) with none of that, in a project that shows how it
records ownership on its other tables, holds shared data: a catalogue, reference data.
A router factory's endpoint statement that stores or keys per-user data for one call of
the factory makes the tables of its other calls per-user too: the same code keeps the
same kind of object, and a call that leaves out the owner argument (`owner_field=None`)
serves everyone's objects to everyone.

A table is named by its handle's table (name or PynamoDB model), a low-level client's
`TableName` text, or the settings attribute that holds the name (`TableName=settings.x`,
a module's `Table(settings.x)`: `module:Settings.x`); a handle whose name the scan cannot
resolve (a generic repository's `self.table = resource.Table(getattr(settings, ...))`)
is named by the object that holds it, `module:Class.self.table` (the instance's class, as
the caller's receiver shows it, through the object's own `self.` calls), so that a
repository's writes and reads meet and two subclasses of one generic repository stay two
tables. DG103 and DG114 share these answers.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from dynaguard.scan.aliases import table_name
from dynaguard.scan.flow import binds, condition, item_value, key_value
from dynaguard.scan.frames import Frame, Site
from dynaguard.scan.index import Project
from dynaguard.scan.model import ClassRef, DynamoCall, HandleKind
from dynaguard.scan.provenance import Origin, Value
from dynaguard.scan.queries.authorization import ordinary_gate
from dynaguard.scan.queries.memo import once
from dynaguard.scan.queries.owner_reads import owner_read
from dynaguard.scan.receivers import receiver_class
from dynaguard.scan.report import OWNER_NAME
from dynaguard.scan.walk import nodes

__all__ = [
    "PAGING",
    "TableFacts",
    "owner_like",
    "paginates",
    "per_user_tables",
    "scan_filters",
    "table_facts",
    "table_of",
]

# writes that store attributes (a delete alone says nothing about what a table holds)
STORES = frozenset(
    {"put_item", "update_item", "batch_write_item", "transact_write_items", "batch_writer.put_item"}
)
PAGING = frozenset({"LastEvaluatedKey", "ExclusiveStartKey", "last_evaluated_key"})


@dataclass(frozen=True, slots=True)
class TableFacts:
    """Per-table facts of one project (tables named by `table_of`)."""

    per_user: frozenset[str]  # an owner-like attribute or the principal is written or keyed
    written: frozenset[str]  # the project stores attributes in it (put, update)
    known: frozenset[str]  # every table the project touches

    @property
    def shows_ownership(self) -> bool:
        """The project records ownership on some table (so its other tables are shared)."""
        return bool(self.per_user)

    def shared(self, table: str | None) -> bool:
        """Nothing per-user is ever written to or keyed on this table, while the project
        shows how it marks ownership elsewhere (or writes this table without an owner)."""
        if table is None or table not in self.known or table in self.per_user:
            return False
        return table in self.written or self.shows_ownership


def table_of(project: Project, call: DynamoCall, frame: Frame | None = None) -> str | None:
    """The table an operation addresses: its name, or, for an unnamed handle held by an
    object (`self.table`, `repo.table`), the instance's class and attribute. Reached
    through `frame`, `self` is the caller's receiver (`products.put(...)` on a
    ProductRepository names ProductRepository's table, not its generic base's)."""
    if call.handle.table:
        return _model_of_index(project, call.handle.table) or call.handle.table
    if call.handle.kind is HandleKind.BATCH_WRITER:
        return None
    if frame is not None and (named := _table_name(project, call, frame)) is not None:
        return named
    recv = call.node.func.value if isinstance(call.node.func, ast.Attribute) else None
    if isinstance(recv, ast.Name) and frame is not None:
        return _global_table(project, recv, frame)
    if not isinstance(recv, ast.Attribute):
        return None
    fn = project.functions.get(call.function or "")
    holder: str | None = None
    if isinstance(recv.value, ast.Name) and recv.value.id == "self" and fn is not None:
        holder = receiver_class(project, frame) or (
            f"{fn.module}:{fn.class_name}" if fn.class_name else None
        )
    elif frame is not None:
        found = project.types.of(recv.value, frame)
        holder = found.qualname if isinstance(found, ClassRef) else None
    return f"{holder}.self.{recv.attr}" if holder else None


def _table_name(project: Project, call: DynamoCall, frame: Frame) -> str | None:
    """A low-level client's `TableName=`: its text, or the settings attribute holding it
    (`settings.orders_table` on a `Settings` instance: `module:Settings.orders_table`)."""
    named = table_name(project, call, frame)
    return named or _setting(project, call.args.get("TableName"), frame)


def _global_table(project: Project, recv: ast.Name, frame: Frame) -> str | None:
    """A module's `orders = resource.Table(settings.orders_table)`: the attribute names it."""
    sym = project.resolve_name(recv.id, frame.module)
    if not isinstance(sym, tuple):
        return None
    home = project.modules[sym[0]]
    for value in home.globals.get(sym[1], []):
        if (name := _table_arg(value)) is not None:
            return _setting(project, name, Frame(None, home))
    return None


def _table_arg(value: ast.expr) -> ast.expr | None:
    """The name given to `<resource>.Table(name)`."""
    f = value.func if isinstance(value, ast.Call) else None
    if isinstance(value, ast.Call) and isinstance(f, ast.Attribute) and f.attr == "Table":
        return value.args[0] if value.args else None
    return None


def _setting(project: Project, expr: ast.expr | None, frame: Frame) -> str | None:
    """`settings.orders_table` on an instance of a project class: `module:Settings.orders_table`
    (one attribute of one settings class is one table, whatever its value at run time)."""
    if isinstance(expr, ast.Attribute):
        holder = project.types.of(expr.value, frame)
        if isinstance(holder, ClassRef):
            return f"{holder.qualname}.{expr.attr}"
    return None


def _model_of_index(project: Project, qualname: str) -> str | None:
    """The PynamoDB model an index class belongs to (`by_owner = OwnerIndex()`): a query
    of the index reads the model's table."""
    cls = project.classes.get(qualname)
    if cls is None or cls.is_pynamodb:
        return None
    return once(project, "index_models", _index_models).get(qualname)


def _index_models(project: Project) -> dict[str, str]:
    """Each class instantiated in a PynamoDB model's body: the first such model by name."""
    out: dict[str, str] = {}
    for model in sorted(project.classes.values(), key=lambda c: c.qualname):
        if not model.is_pynamodb:
            continue
        mod = project.modules[model.module]
        for value in model.fields.values():
            if isinstance(value, ast.Call):
                sym = project.resolve_expr(value.func, mod)
                if isinstance(sym, ClassRef):
                    out.setdefault(sym.qualname, model.qualname)
    return out


def owner_like(project: Project, name: str) -> bool:
    """An attribute name that records an owner (or a configured owner attribute)."""
    return bool(OWNER_NAME.match(name)) or name in project.config.owner_attributes


def _marks_owner(project: Project, value: Value | None, audit: bool = False) -> bool:
    """An owner-like attribute, or (unless `audit`: an administrator's write, where the
    caller stored is who changed a shared item, `updated_by`) a value from the principal."""
    if value is None:
        return False
    if any(owner_like(project, k) for k, _ in value.fields or ()):
        return True
    return not audit and Origin.PRINCIPAL in value.origins()


def _by_admin(project: Project, site: Site) -> bool:
    route = site.route
    return route is not None and bool(route.privileged) and not ordinary_gate(project, route)


def _compares_principal(project: Project, call: DynamoCall, site: Site) -> bool:
    """A condition or filter that compares an attribute with the caller (`author = :me`,
    `Attr("author").eq(user.id)`): the items record who they belong to, whatever the name."""
    found = [condition(project, call, site.frame)]
    if call.is_read:
        found += scan_filters(project, call, site)
        found.append(project.values.arg(call, "ExpressionAttributeValues", site.frame))
    return any(v is not None and Origin.PRINCIPAL in v.origins() for v in found)


def table_facts(project: Project) -> TableFacts:
    """Which tables are per-user, written, and touched at all (one pass over the calls)."""
    return once(project, "table_facts", _table_facts)


def _table_facts(project: Project) -> TableFacts:
    # a PynamoDB model declares its attributes: an owner-like one says the table is per-user
    per_user: set[str] = {
        c.qualname
        for c in project.classes.values()
        if c.is_pynamodb and any(owner_like(project, f) for f in c.fields)
    }
    written: set[str] = set()
    known: set[str] = set()
    copied: dict[object, set[str]] = {}  # a factory endpoint's statement: its calls' tables
    for call in project.calls:
        for site in project.sites(call):
            table = table_of(project, call, site.frame)
            if table is None:
                continue
            known.add(table)
            fn = project.functions.get(call.function or "")
            if fn is not None and fn.copy_of is not None:
                copied.setdefault(call.key, set()).add(table)
            if call.operation in STORES:
                written.add(table)
            if table in per_user:
                continue
            item = _stored(project, call, site.frame) if call.is_write else None
            if (
                _marks_owner(project, item, _by_admin(project, site))
                or _marks_owner(project, key_value(project, call, site.frame))
                or _compares_principal(project, call, site)
                or owner_read(project, call, site, lambda a: owner_like(project, a))
            ):
                per_user.add(table)
    for tables in copied.values():
        if tables & per_user:  # the factory keeps users' objects: a call that left out
            per_user |= tables  # its owner argument serves them to everyone
    return TableFacts(frozenset(per_user), frozenset(written), frozenset(known))


def _stored(project: Project, call: DynamoCall, frame: Frame) -> Value | None:
    """What a write stores: for a PynamoDB item's `save()`, every field of the instance
    (`item_value` keeps an item's key attributes only)."""
    recv = call.node.func
    if call.handle.kind is HandleKind.PYNAMODB_ITEM and call.operation == "put_item":
        return project.values.of(recv.value, frame) if isinstance(recv, ast.Attribute) else None
    return item_value(project, call, frame)


def per_user_tables(project: Project) -> dict[str, bool]:
    """Tables the project writes, by whether some write stores a per-user attribute
    (an owner-like name, or a value from the principal). Unwritten tables are absent."""
    facts = table_facts(project)
    return {t: t in facts.per_user for t in sorted(facts.written)}


def scan_filters(project: Project, call: DynamoCall, site: Site) -> list[Value]:
    """What may filter a scan: FilterExpression, PynamoDB filter conditions, **kwargs."""
    parts = [project.values.of(a, site.frame) for a in [*call.positional, *call.spread]]
    for name in ("FilterExpression", "filter_condition"):
        found = project.values.arg(call, name, site.frame)
        parts += [found] if found is not None else []
        if name == "FilterExpression" and found is not None and found.texts:
            # and the placeholders it binds (`tenant = :t` with `":t": user.tenant`)
            values = project.values.arg(call, "ExpressionAttributeValues", site.frame)
            fields = values.fields or () if values is not None else ()
            parts += [v for k, v in fields if binds(found.texts, k)]
    return parts


def paginates(site: Site) -> bool:
    """Whether the function around a call follows LastEvaluatedKey / ExclusiveStartKey."""
    fn = site.frame.fn
    if fn is None:
        return False
    names = {n.value for n in nodes(fn.node) if isinstance(n, ast.Constant)}
    names |= {n.attr for n in nodes(fn.node) if isinstance(n, ast.Attribute)}
    return bool(names & PAGING)
