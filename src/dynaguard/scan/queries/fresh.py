"""Keys the server has just made unique (DG101): a put of such a key creates an item and
can replace one only by a collision, so it needs no condition.

Unique means a generator whose values do not repeat: random or node-and-time UUIDs, ULIDs,
ObjectIds, `secrets` tokens. A clock repeats when two requests share a tick and a counter
after a restart, so a key from them stays a possible overwrite (DG101 reports it at low
severity). A key attribute the client chooses (a natural key such as an e-mail beside a
generated id) can still name an existing item, so it keeps the put reported. Which of the
item's attributes are the key is read from the project where it can be: a PynamoDB model's
hash and range keys, or the `Key=` names of the gets, updates and deletes on the same table
(else the key-like names: `id`, `pk`, `*_id`..., but not a request field the client may
leave `None`: DynamoDB refuses a null key attribute, so it is a reference to another item).
"""

from __future__ import annotations

import ast

from dynaguard.scan.flow import item_value, key_value
from dynaguard.scan.frames import Frame, Site
from dynaguard.scan.index import Project
from dynaguard.scan.model import ClassRef, DynamoCall, HandleKind
from dynaguard.scan.provenance import Origin, Source, Value
from dynaguard.scan.pynamo_index import pynamo_keys
from dynaguard.scan.queries.memo import once
from dynaguard.scan.queries.request_models import none_by_default
from dynaguard.scan.queries.tables import table_of
from dynaguard.scan.report import KEY_NAME

__all__ = ["UNIQUE", "key_values", "new_item", "positional_keys", "server_key", "unique"]

UNIQUE = frozenset(
    {"uuid1", "uuid4", "uuid6", "uuid7", "ulid", "ObjectId", "nanoid"}
    | {"token_hex", "token_urlsafe", "token_bytes"}
    | {"sign_up"}  # Cognito's UserSub: a UUID it generates for each new user
)
# what a key attribute may hold besides the unique part: fixed text (`NOTE#`), the caller
# (`{user}#{uuid4()}`), another server value
ALLOWED = frozenset({Origin.SERVER, Origin.CONSTANT, Origin.PRINCIPAL})


def new_item(project: Project, call: DynamoCall, site: Site) -> bool:
    """A put whose key the server has just made unique: some key attribute holds a unique
    generator's value, and no key attribute comes from the request or a read."""
    if call.operation != "put_item":
        return False
    keys = key_values(project, call, site.frame)
    sources = [s for v in keys for s in v.all_sources()]
    return bool(keys) and all(s.origin in ALLOWED for s in sources) and any(map(unique, sources))


def server_key(project: Project, call: DynamoCall, site: Site) -> bool:
    """A put whose key has an attribute only the server makes (a generator, fixed text),
    unique or not: a clock or a counter may repeat (DG101's low severity)."""
    if call.operation != "put_item":
        return False
    server = {Origin.SERVER, Origin.CONSTANT}
    for v in key_values(project, call, site.frame):
        origins = v.origins()
        if Origin.SERVER in origins and origins <= server:
            return True
    return False


def unique(s: Source) -> bool:
    """A unique generator's value (uuid4, a `secrets` token...)."""
    return s.origin is Origin.SERVER and s.name.rsplit(".", 1)[-1] in UNIQUE


def key_values(
    project: Project, call: DynamoCall, frame: Frame, *, references: bool = False
) -> list[Value]:
    """The key attributes' values: an Item's key-like fields, a PynamoDB item's hash and
    range keys (given by keyword or, `Task(str(uuid4()), ...)`, by position). With
    `references`, a key-like field the request may leave None is kept (for DG101 it refers
    to another item; for a take-over, a client that sends it still names an item)."""
    item = item_value(project, call, frame)
    if call.handle.kind is not HandleKind.PYNAMODB_ITEM:
        table = _table(project, call, frame)
        known = once(project, "fresh.addressed", _addressed).get(table or "")
        fields = item.fields or () if item is not None else ()
        if known:
            return [v for k, v in fields if k in known]
        # by name: a field the request may leave None is no key (DynamoDB refuses a null
        # key attribute), it refers to another item (`payment_id` on a support ticket)
        return [
            v for k, v in fields if KEY_NAME.match(k) and (references or not _optional(project, v))
        ]
    out = [v for _, v in (item.fields or ())] if item else []
    return out + positional_keys(project, call, frame)


def positional_keys(project: Project, call: DynamoCall, frame: Frame) -> list[Value]:
    """A PynamoDB item's hash and range keys given by position to its constructor
    (`Task(str(uuid4()), ...)`, `task = Task(...); task.save()`)."""
    out: list[Value] = []
    recv = call.node.func.value if isinstance(call.node.func, ast.Attribute) else None
    made = [recv] if isinstance(recv, ast.Call) else []
    if isinstance(recv, ast.Name):  # task = Task(...); task.save()
        made += [
            e for e in project.locals_of(frame).assigns.get(recv.id, []) if isinstance(e, ast.Call)
        ]
    for ctor in made:
        cls = project.values.target(ctor, frame)
        if isinstance(cls, ClassRef):
            keys = pynamo_keys(project, cls.qualname)
            out += [project.values.of(a, frame) for a, _ in zip(ctor.args, keys, strict=False)]
    return out


def _optional(project: Project, value: Value) -> bool:
    sources = value.all_sources()
    return bool(sources) and all(none_by_default(project, s) for s in sources)


def _addressed(project: Project) -> dict[str, frozenset[str]]:
    """Per table, the attribute names the project's gets, updates and deletes put in `Key=`
    (the table's key, as the code uses it)."""
    out: dict[str, set[str]] = {}
    for call in project.calls:
        if call.operation not in ("get_item", "update_item", "delete_item"):
            continue
        for site in project.sites(call):
            table = _table(project, call, site.frame)
            key = key_value(project, call, site.frame)
            if table and key is not None and key.fields:
                out.setdefault(table, set()).update(k for k, _ in key.fields)
    return {t: frozenset(names) for t, names in out.items()}


def _table(project: Project, call: DynamoCall, frame: Frame) -> str | None:
    """The table's name, or the module global holding its handle (`users_table`, named from
    an environment variable) wherever it is imported."""
    found = table_of(project, call, frame)
    recv = call.node.func.value if isinstance(call.node.func, ast.Attribute) else None
    if found is None and isinstance(recv, ast.Name):
        sym = project.resolve_expr(recv, frame.module)
        found = f"{sym[0]}:{sym[1]}" if isinstance(sym, tuple) else None
    return found
