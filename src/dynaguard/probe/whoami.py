"""Each identity's own identifiers, and the user resources they open (`/users/{username}`).

An identity is known by what the API says about it: its token's claims (a JWT's `sub`,
`username`, `email`..., decoded without verification: the run only reads them), and
the scalar properties of its `/me`-like answers. A user resource is an item path with
one parameter that some identity can fill with one of its own values and then read
with its own credentials: that read is the proof the value is its own.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import TYPE_CHECKING

from dynaguard.core.findings import JSON
from dynaguard.probe.errors import SafetyError
from dynaguard.probe.heuristics import norm
from dynaguard.probe.identities import Identity
from dynaguard.probe.resources import Obj, Resource, fill, safe_id

if TYPE_CHECKING:
    from dynaguard.probe.context import ProbeContext

_JWT = re.compile(r"\b(ey[A-Za-z0-9_-]+)\.(ey[A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)")
# Claims that are about the token, not about who holds it.
_TOKEN_CLAIMS = {"iat", "exp", "nbf", "jti", "iss", "aud", "typ", "scope", "token_type"}
MAX_TRIES = 3


def claims(identity: Identity) -> dict[str, str]:
    """The string and integer claims of every JWT in the identity's headers (unverified)."""
    out: dict[str, str] = {}
    for value in identity.headers.values():
        for m in _JWT.finditer(value):
            payload = m.group(2) + "=" * (-len(m.group(2)) % 4)
            try:
                data = json.loads(base64.urlsafe_b64decode(payload))
            except (binascii.Error, ValueError):
                continue
            if isinstance(data, dict):
                for k, v in data.items():
                    if k not in _TOKEN_CLAIMS and isinstance(v, (str, int)):
                        out.setdefault(k, str(v))
    return out


def scalars(body: JSON) -> dict[str, str]:
    """The scalar properties of an answer (what it says about the identity)."""
    if not isinstance(body, dict):
        return {}
    return {
        k: str(v)
        for k, v in body.items()
        if isinstance(v, (str, int)) and not isinstance(v, bool) and str(v)
    }


def candidates(known: dict[str, str], param: str) -> list[str]:
    """The identity's values to try for a path parameter: same name first, then `sub`, ids."""
    want = norm(param).replace("_", "")
    first = [v for k, v in known.items() if norm(k).replace("_", "") == want]
    named = [v for k, v in known.items() if want.endswith(norm(k).replace("_", ""))]
    rest = [known[k] for k in ("sub", "username", "login", "email", "id") if k in known]
    return [v for v in dict.fromkeys([*first, *named, *rest]) if safe_id(v)][:MAX_TRIES]


def user_resources(resources: list[Resource]) -> list[Resource]:
    """Item resources with one path parameter and no create of their own: user-like ones."""
    return [
        r
        for r in resources
        if r.item is not None
        and r.read is not None
        and not r.singleton
        and not r.collection_params()
        and (r.create is None or not r.create.secured)
    ]


async def learn(ctx: ProbeContext) -> None:
    """Each identity's identifiers, then its own object in every user resource it can read."""
    for ident in ctx.identities:
        known = ctx.known.setdefault(ident.name, {})
        known.update(claims(ident))
        for obj in ctx.objects:
            if obj.resource.singleton and obj.owner == ident.name:
                for k, v in scalars(obj.body).items():
                    known.setdefault(k, v)
    for res in user_resources(ctx.resources):
        for ident in ctx.identities:
            await _own_object(ctx, res, ident)


async def _own_object(ctx: ProbeContext, res: Resource, ident: Identity) -> None:
    assert res.read is not None and res.item is not None
    for value in candidates(ctx.known.get(ident.name, {}), res.id_param or ""):
        try:
            path = fill(res.item, {res.id_param or "id": value})
        except SafetyError:
            continue
        ex = await ctx.send(ident, res.read, path)
        if ex.ok and isinstance(ex.json, dict) and value in ex.response_body:
            obj = Obj(
                resource=res,
                owner=ident.name,
                id=value,
                path=path,
                params={res.id_param or "id": value},
                body=ex.json,
                original=ex.json,
                profile=True,
            )
            ctx.objects.append(obj)
            for k, v in scalars(ex.json).items():
                ctx.known[ident.name].setdefault(k, v)
            if ctx.active and res.update is not None:
                # Its own profile: PUT/PATCH on this exact path, restored at the end.
                ctx.client.own_profile(path)
            return
