"""Puts that may replace an existing item (DG103): the key attributes a put writes, and
whether its condition lets it only create.

A `put_item` (a PynamoDB `save()`) replaces whatever item has its key. Keyed by a request
value and writing the caller into the item (`owner_id=me`), it takes over another user's
object as surely as an update does, unless its condition refuses an existing item:
`attribute_not_exists(key)`, PynamoDB's `does_not_exist()`, or the
`attribute_not_exists(version)` PynamoDB adds itself to the save of an item whose
`VersionAttribute` nothing in the request sets.
"""

from __future__ import annotations

from dynaguard.scan.flow import key_value
from dynaguard.scan.frames import Frame, Site
from dynaguard.scan.index import Project
from dynaguard.scan.model import DynamoCall, HandleKind
from dynaguard.scan.provenance import REQUEST_ORIGINS, Origin, Value, join
from dynaguard.scan.queries.fresh import key_values, positional_keys, unique
from dynaguard.scan.queries.grants import required_absent
from dynaguard.scan.queries.mass_assignment import written_item
from dynaguard.scan.queries.request_models import managed_version, model_fields

__all__ = ["creates_only", "put_key", "takes_over"]


def put_key(project: Project, call: DynamoCall, frame: Frame) -> Value | None:
    """The values of the key attributes a put writes (None: not known)."""
    if call.handle.kind is HandleKind.PYNAMODB_ITEM:
        key = key_value(project, call, frame)
        found = [v for _, v in key.fields or ()] if key is not None else []
        found += positional_keys(project, call, frame)
        return join(*found) if found else None
    found = key_values(project, call, frame, references=True)
    return join(*found) if found else None


def takes_over(project: Project, call: DynamoCall, site: Site) -> bool:
    """The put writes the caller into the item (`owner_id=me`) and may replace an existing
    one: whoever's item had that key becomes the caller's."""
    if creates_only(project, call, site) or _fresh(project, call, site.frame):
        return False
    item = written_item(project, call, site)
    fields = item.fields or () if item is not None else ()
    return any(Origin.PRINCIPAL in v.origins() for _, v in fields)


def _fresh(project: Project, call: DynamoCall, frame: Frame) -> bool:
    """A key attribute holds a unique generator's value (`comment_id=str(uuid4())`): no
    item can exist under that key yet, whatever the other key attributes are."""
    return any(unique(s) for v in key_values(project, call, frame) for s in v.all_sources())


def creates_only(project: Project, call: DynamoCall, site: Site) -> bool:
    """The put's condition refuses an existing item."""
    if required_absent(project, call, site):
        return True
    version = managed_version(project, call)
    if version is None:
        return False
    # PynamoDB: `attribute_not_exists(version)` unless the request sets the item's version
    item = written_item(project, call, site)
    if item is None:
        return False
    copied = any(
        attr == version and value.origins() & REQUEST_ORIGINS for attr, value in item.fields or ()
    )
    dumped = any(
        version in model_fields(project, d.model or "")
        and version not in d.excluded
        and (d.included is None or version in d.included)
        for d in item.dumps
    )
    return not copied and not dumped
