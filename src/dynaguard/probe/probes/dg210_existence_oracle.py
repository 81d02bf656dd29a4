"""Another identity's object answers 403 where a missing one answers 404 (existence oracle).

## What it does
Has the attacker GET one of the owner's objects and an id of the same shape that does
not exist, and reports the read operation when the two refusals differ (typically 403
vs 404): the status alone tells the attacker which ids exist. With `--active`, also
sends the login operation (found by behaviour: an unauthenticated POST with a password
that refuses an identity's own identifier with a wrong password) an unknown account,
and reports it when the two refusals differ (user enumeration).

## Why is this bad?
An oracle lets an attacker enumerate valid ids (users, orders, documents) and learn
facts about other users without reading a single object, and it turns guessable ids
into confirmed targets for every other attack.

## Example
```python
item = table.get_item(Key={"note_id": note_id}).get("Item")
if item is None:
    raise HTTPException(404)
if item["owner"] != user.id:
    raise HTTPException(403)
```

## Use instead
```python
if item is None or item["owner"] != user.id:
    raise HTTPException(404)   # same answer for "not yours" and "not there"
```

## References
- https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/
- https://cwe.mitre.org/data/definitions/204.html
"""

from __future__ import annotations

import re

from dynaguard.core.findings import Confidence, Finding, Severity
from dynaguard.core.registry import register
from dynaguard.probe.context import ProbeContext
from dynaguard.probe.evidence import Exchange
from dynaguard.probe.resources import fill


def missing_like(oid: str) -> str:
    """An id of the same shape (length, character classes) that is very unlikely to exist."""
    if oid.isdigit():
        # Sequential ids: a neighbour may well exist, a far-away number very unlikely.
        return str(int(oid) + 987_654_321)
    out = []
    for c in oid:
        if c.isdigit():
            out.append("9")
        elif c in "abcdef":
            out.append("f")
        elif c.islower():
            out.append("z")
        elif c.isupper():
            out.append("Z")
        else:
            out.append(c)
    candidate = "".join(out)
    return candidate if candidate != oid else candidate + "9"


@register(
    id="DG210",
    name="existence-oracle",
    title="Different refusals for another user's object and a missing one",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    cwe="CWE-204",
    owasp_api="API1:2023",
    fix="Answer 404 both when the object does not exist and when it is not the caller's.",
)
async def check(ctx: ProbeContext) -> list[Finding]:
    """B reads A's object and a missing one; two different refusals are the proof."""
    owner, attacker = ctx.owner, ctx.attacker
    if owner is None or attacker is None:
        return []
    findings: list[Finding] = []
    for res in ctx.resources:
        objs = ctx.objects_of(owner, res)
        if res.read is None or res.item is None or not objs or res.singleton:
            continue
        obj = objs[0]
        theirs = await ctx.send(attacker, res.read, obj.path)
        ghost_path = fill(res.item, {**obj.params, res.id_param or "id": missing_like(obj.id)})
        ghost = await ctx.send(attacker, res.read, ghost_path)
        refusals = (theirs.status, ghost.status)
        if (
            theirs.status is not None
            and ghost.status is not None
            and 400 <= theirs.status < 500
            and 400 <= ghost.status < 500
            and theirs.status != ghost.status
        ):
            findings.append(
                ctx.finding(
                    "DG210",
                    res.read,
                    f"{attacker.name} gets {refusals[0]} for {owner.name}'s object and "
                    f"{refusals[1]} for a missing one: the status reveals which ids exist.",
                    [theirs, ghost],
                )
            )
    return findings + await _login_oracle(ctx)


async def _login_oracle(ctx: ProbeContext) -> list[Finding]:
    """Login with an identity's identifier and with an unknown one, both wrong passwords."""
    from dynaguard.probe.accounts import WRONG_PASSWORD, classify

    logins, _ = await classify(ctx)
    findings: list[Finding] = []
    for login in logins:
        body = ctx.body(login.op, ctx.anonymous)
        if not isinstance(body, dict):
            continue
        body.update(
            {login.ident_field: _unknown(login.ident_value), login.password: WRONG_PASSWORD}
        )
        ghost = await ctx.send(ctx.anonymous, login.op, login.op.path, body=body, create=True)
        known = login.probe
        if ghost.status is None or known.status is None:
            continue
        differs = ghost.status != known.status or _shape(ghost) != _shape(known)
        if differs:
            findings.append(
                ctx.finding(
                    "DG210",
                    login.op,
                    f"{login.op.route} answers {known.status} for an existing account with a "
                    f"wrong password and {ghost.status} for an unknown one "
                    f"({login.ident_field}): the answer tells which accounts exist.",
                    [known, ghost],
                    field=login.ident_field,
                )
            )
    return findings


def _unknown(value: str) -> str:
    """An identifier of the same shape that no account has (an e-mail stays an e-mail)."""
    user, at, domain = value.partition("@")
    return f"dgp-nobody-{missing_like(user)}{at}{domain}"


def _shape(ex: Exchange) -> str:
    """The answer's text with digits dropped (request ids and times differ on every call)."""
    return re.sub(r"\d+", "", ex.response_body)
