"""Request-supplied key used with no ownership check.

## What it does
Reports a `get_item`, `update_item`, `delete_item` or `query` (any style, PynamoDB
included), and a `put_item` or PynamoDB `save()` that writes the caller into an item
(`owner_id=me`) and may replace an existing one (its condition does not refuse it: no
`attribute_not_exists` on the key, and for a PynamoDB `VersionAttribute`, a version the
request sets), whose key comes from the request (path, query or body) when nothing ties
the object to the authenticated caller: the principal is not part of the key, the loaded
item's owner is not compared with the principal, no parent object was verified as the
caller's first (nor the caller's membership of it: an item of another table keyed by the
request value and the principal, `members[(team_id, me)]`, whose absence or role fails
the request), the request value is not compared with the caller's own id (the key *is*
the principal), and the write's condition does not name the owner. Routes restricted to
administrators (a role or scope dependency, a role checked inline on the caller's own
record, or the caller's own item in an allow-list table, `moderators`, 403 otherwise) may
reach any object, unless the same gate, asked for the same values, guards
routes that tie objects to the caller (a scope every ordinary key holds), routes public by
design (sign-up, login, password reset) look up by the credential, a webhook's ids inside
a raw body the endpoint verifies with an HMAC signature (`hmac.new` over the bytes,
`compare_digest`, a raise) are the signer's, a partner system that the endpoint admits by
one shared key (`compare_digest(key, PARTNER_KEY)`) is no user with objects of its own,
an object the route serves only in a state the code fixes
(`if post["state"] != "published": raise`) is public by design,
and tables that hold no per-user data (no
owner-like attribute is ever written to or keyed on them, as for a catalogue; the caller an
administrators-only route records, `updated_by = staff`, is an audit trail) need no owner.
A router factory's endpoints are judged per call, with that call's arguments: the
owner check `if owner_field and item[owner_field] != me` is no check for a call without
`owner_field`, whose table is per-user when the same statement keeps per-user data for
another call.
A counter of a relation the caller holds is not reported either: an update that
only adds a number the code fixes (`ADD likes :one`, `Post.likes.add(-1)`) to an item its
condition requires to exist, beside a write of the caller's own record keyed by the
principal and the same request value (the like itself); a client-chosen amount or any
other attribute set is. Apps with no users are left alone. An app that has users but
verifies them nowhere (it signs tokens at `/login`, signs in with Cognito, or takes user
ids from the request) is reported on every request-chosen key of a per-user table.

## Why is this bad?
This is Broken Object Level Authorization (BOLA/IDOR), the first item of the OWASP API
Top 10: any authenticated user can read or change another user's object by changing an
identifier in the URL.

## Example
```python
@router.get("/notes/{note_id}")
def get_note(note_id: str, user: User = Depends(get_current_user)):
    return table.get_item(Key={"id": note_id})["Item"]
```

## Use instead
```python
@router.get("/notes/{note_id}")
def get_note(note_id: str, user: User = Depends(get_current_user)):
    return table.get_item(Key={"userId": user.id, "id": note_id})["Item"]
```
Or compare `item["owner"]` with `user.id` before use, or use the guard library's
`OwnedTable.get(key, owner=user.id)`.

## References
- https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.core.registry import register
from dynaguard.scan import query as q
from dynaguard.scan.queries.ownership import source_text, unowned


@register(
    id="DG103",
    name="missing-ownership-check",
    title="Request-supplied key with no ownership check",
    severity=q.Severity.HIGH,
    confidence=q.Confidence.HIGH,
    cwe="CWE-639",
    owasp_api="API1:2023",
    fix='Put the principal in the key (pk=f"USER#{user.id}"), compare the item\'s owner with '
    "the caller, or add the owner to the ConditionExpression (guard library: owner=...).",
)
def check(project: q.Project) -> Iterator[q.Finding]:
    """Keyed operations on request ids that nothing ties to the caller."""
    rule = q.meta("DG103")
    for found in unowned(project):
        call = found.call
        yield q.finding(
            rule,
            call,
            found.route,
            f"{call.operation} on a key from the request "
            f"({source_text(q.request_sources(found.key))}) with no check "
            f"that the object belongs to the caller",
            evidence=found.evidence,
            confidence=found.confidence,
        )
