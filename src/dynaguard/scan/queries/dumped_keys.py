"""Key attributes a dumped request model supplies: `{**item, **body.model_dump()}` written
with `body.book_id` in the model lets the client choose which item the write replaces."""

from __future__ import annotations

from dynaguard.scan.index import Project
from dynaguard.scan.model import ParamSource, Route
from dynaguard.scan.provenance import Origin, Value
from dynaguard.scan.queries.request_models import model_fields
from dynaguard.scan.report import KEY_NAME, OWNER_NAME

__all__ = ["body_keys", "dumped_keys"]


def dumped_keys(
    project: Project, item: Value | None, keyed: set[str], route: Route, owners: set[str]
) -> list[tuple[str, str]]:
    """(attribute, `param.field`) for each key attribute (`keyed`) a request model dumped
    into the item carries, unless the item also sets it from something other than a read
    item (`{**body.model_dump(), "id": path_id}`: the explicit value wins; set before the
    spread, the dump's replaces it). As for a
    field copied by name, only where the path decides the key, or the principal an
    owner-like attribute (a create with a client-chosen id is no swap)."""
    if item is None or not keyed:
        return []
    has_path = any(p.source is ParamSource.PATH for p in route.params)
    has_principal = any(p.source is ParamSource.PRINCIPAL for p in route.params)
    out: list[tuple[str, str]] = []
    for dump in item.dumps:
        fields = set(model_fields(project, dump.model or "")) - dump.excluded
        if dump.included is not None:
            fields &= dump.included
        for name in sorted(fields & keyed):
            explicit = item.field(name)
            replaced = name in dump.before  # `{"tenant_id": me, **body.model_dump()}`
            if explicit is not None and not replaced and not explicit.origins() <= {Origin.ITEM}:
                continue
            owner_like = bool(OWNER_NAME.match(name)) or name in owners
            if has_path or (has_principal and owner_like):
                out.append((name, f"{dump.param}.{name}"))
    return out


def body_keys(
    key: Value | None, route: Route, is_item: bool, owners: set[str], keyed: set[str]
) -> list[tuple[str, str]]:
    """(attribute, `param.field`) for each key attribute (`keyed`, or by its name) a request
    body field supplies although the path (or, for an owner, the caller) decides it."""
    if key is None:
        return []
    paths = {p.name for p in route.params if p.source is ParamSource.PATH}
    has_principal = any(p.source is ParamSource.PRINCIPAL for p in route.params)
    out: list[tuple[str, str]] = []
    for name, value in dict(key.fields or ()).items():
        if is_item and not (KEY_NAME.match(name) or name in owners or name in keyed):
            continue  # a put's other attributes are data, not key
        body = [s for s in value.all_sources() if s.origin is Origin.BODY and s.path]
        # the caller's tenant in the key scopes it, unless the body's field is the one the
        # path names (`f"{tenant}#{body.aggregate_id}"` under `/{aggregate_id}`)
        renamed = any(s.path[-1] in paths for s in body)
        if (
            not body
            or value.always(Origin.PATH)
            or (value.always(Origin.PRINCIPAL) and not renamed)
        ):
            continue  # (`body.user_id or me`: the body may replace the caller)
        owner_like = OWNER_NAME.match(name) or name in owners  # [tool.dynaguard] owner_attributes
        if paths or (has_principal and owner_like):
            out.append((name, body[0].dotted))
    return out
