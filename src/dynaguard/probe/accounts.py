"""Login and registration operations, found by behaviour, and throwaway accounts.

A credentials operation is an unauthenticated POST with no path parameters whose body
has a password property. Sent an identity's own identifier with a wrong password, a
login refuses (401/403) while a registration says the account exists (409, 400, 422):
that answer, not the path's name, tells the two apart. Only with --active (they are
POSTs), and a registration is used only where the API can delete the account again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dynaguard.core.findings import JSON
from dynaguard.probe import whoami
from dynaguard.probe.errors import SafetyError
from dynaguard.probe.evidence import Exchange
from dynaguard.probe.heuristics import norm
from dynaguard.probe.identities import Identity
from dynaguard.probe.resources import fill
from dynaguard.probe.spec import Operation

if TYPE_CHECKING:
    from dynaguard.probe.context import ProbeContext

_PASSWORD = re.compile(r"pass(word)?|passwd|pwd|secret", re.IGNORECASE)
WRONG_PASSWORD = "dgp-Wrong-passw0rd!"
NEW_PASSWORD = "Dgp-throwaway-Passw0rd!"


@dataclass(frozen=True, slots=True)
class CredentialsOp:
    """A login or registration operation and its fields."""

    op: Operation
    password: str  # the password property
    ident_field: str  # the property that names the account (email, username, login)
    ident_value: str  # an identity's own value for it
    probe: Exchange  # the answer to the identity's identifier with a wrong password


def _props(op: Operation) -> dict[str, JSON]:
    props = (op.body_schema or {}).get("properties")
    return props if isinstance(props, dict) else {}


def candidates(ops: list[Operation]) -> list[Operation]:
    """Unauthenticated POSTs without path parameters whose body carries a password."""
    return [
        o
        for o in ops
        if o.method == "POST"
        and not o.secured
        and not o.path_params()
        and any(_PASSWORD.fullmatch(norm(k).replace("_", "")) for k in _props(o))
    ]


def _fields(ctx: ProbeContext, op: Operation, ident: Identity) -> tuple[str, str, str] | None:
    """(password property, identifier property, the identity's value for it)."""
    props = _props(op)
    password = next(k for k in props if _PASSWORD.fullmatch(norm(k).replace("_", "")))
    known = {norm(k).replace("_", ""): v for k, v in ctx.known.get(ident.name, {}).items()}
    for key in props:
        value = known.get(norm(key).replace("_", ""))
        if key != password and value:
            return password, key, value
    return None


async def classify(ctx: ProbeContext) -> tuple[list[CredentialsOp], list[CredentialsOp]]:
    """(logins, registrations): each candidate sent an identity's identifier, wrong password."""
    if ctx.credentials is None:
        ctx.credentials = await _classify(ctx)
    return ctx.credentials


async def _classify(ctx: ProbeContext) -> tuple[list[CredentialsOp], list[CredentialsOp]]:
    logins: list[CredentialsOp] = []
    registrations: list[CredentialsOp] = []
    ident = ctx.owner
    if not ctx.active or ident is None:
        return logins, registrations
    for op in candidates(ctx.spec.operations):
        fields = _fields(ctx, op, ident)
        if fields is None:
            ctx.skipped.setdefault(op.route, "no identity's identifier fits its body")
            continue
        password, key, value = fields
        body = ctx.body(op, ident)
        if not isinstance(body, dict):
            continue
        body.update({key: value, password: WRONG_PASSWORD})
        ex = await ctx.send(ctx.anonymous, op, op.path, body=body, create=True)
        found = CredentialsOp(
            op=op, password=password, ident_field=key, ident_value=value, probe=ex
        )
        if ex.status in (401, 403):
            logins.append(found)
        elif ex.status in (400, 409, 422):
            registrations.append(found)
    return logins, registrations


def token_in(body: JSON) -> str | None:
    """A credential in an answer: a property named like a token, at any depth."""
    if isinstance(body, dict):
        for k, v in body.items():
            if isinstance(v, str) and "token" in norm(k) and "type" not in norm(k) and len(v) > 8:
                return v
            inner = token_in(v) if isinstance(v, dict) else None
            if inner:
                return inner
    return None


def as_identity(ctx: ProbeContext, name: str, token: str) -> Identity:
    """A throwaway identity that sends the token the way the given identities do."""
    header = next(
        (k for i in ctx.identities for k, v in i.headers.items() if v.lower().startswith("bearer")),
        "Authorization",
    )
    ctx.client.redact.add(token)
    return Identity(name, {header: f"Bearer {token}"})


def account_delete(ctx: ProbeContext, reg: CredentialsOp) -> tuple[Operation, str, str] | None:
    """How a registered account is removed: `DELETE /me`, or `DELETE /users/{param}`.

    The user resource's parameter is filled later from what the account is known by:
    the identifier it registered with, or one its registration answer declares
    (`user_id`, `username`, `sub`) -- read from that answer once it came.
    """
    own = {o.path for o in ctx.objects if o.resource.singleton}
    for op in ctx.spec.operations:
        if op.method == "DELETE" and op.path in own:
            return op, op.path, ""
    answered = {_fold(k) for k in _answer_fields(reg.op.response_schema)}
    for res in ctx.resources:
        param = res.id_param or ""
        fits = _fold(param) in {_fold(reg.ident_field), *answered}
        if res.delete is not None and res.item is not None and fits and not res.create:
            return res.delete, res.item, param
    return None


def _fold(name: str) -> str:
    return norm(name).replace("_", "")


def _answer_fields(schema: JSON) -> list[str]:
    """Property names an answer declares, one envelope deep (`{"account": {...}}`)."""
    props = schema.get("properties") if isinstance(schema, dict) else None
    out: list[str] = []
    for name, prop in props.items() if isinstance(props, dict) else ():
        out += [name, *_answer_fields(prop)]
    return out


def identifiers_in(body: JSON) -> dict[str, str]:
    """What a login or registration answer says the account is (tokens left out)."""
    if not isinstance(body, dict):
        return {}
    inner = [v for v in body.values() if isinstance(v, dict)]
    out = {k: v for part in [*inner, body] for k, v in whoami.scalars(part).items()}
    return {k: v for k, v in out.items() if "token" not in norm(k)}


async def register(
    ctx: ProbeContext, reg: CredentialsOp, extra: dict[str, JSON]
) -> tuple[Identity, Exchange] | None:
    """A new account with `extra` in its registration, tracked for deletion; None if not made."""

    removal = account_delete(ctx, reg)
    if removal is None:
        ctx.skipped.setdefault(
            reg.op.route, "registration creates an account the API cannot delete; not sent"
        )
        return None
    n = len(ctx.accounts) + 1
    user, at, domain = reg.ident_value.partition("@")
    value = f"dgp{n}x{user}"[:30] + at + domain
    body = ctx.body(reg.op, ctx.anonymous)
    if not isinstance(body, dict):
        return None
    body.update({reg.ident_field: value, reg.password: NEW_PASSWORD, **extra})
    ex = await ctx.send(ctx.anonymous, reg.op, reg.op.path, body=body, create=True)
    if not ex.ok:
        return None
    known = {reg.ident_field: value, **identifiers_in(ex.json)}
    token = token_in(ex.json) or await _login(ctx, reg.ident_field, value, known)
    op, path, param = removal
    if param:
        # The account's own identifier for the user resource, from what it is known by.
        fitting = [*whoami.candidates(known, param), value]
        try:
            path = fill(path, {param: fitting[0]})
        except SafetyError:
            ctx.leftovers.append(
                f"registered account {value!r} ({reg.op.route}) has an id {fitting[0][:80]!r} "
                f"that cannot be put in {path}; left in place"
            )
            return None
    if token is None:
        ctx.leftovers.append(
            f"registered account {value!r} ({reg.op.route}) got no token to delete it with; "
            f"left in place ({path})"
        )
        return None
    new = as_identity(ctx, f"registered-{n}", token)
    ctx.known[new.name] = {**whoami.claims(new), **known}
    ctx.accounts.append((new, op, path))
    return new, ex


async def _login(ctx: ProbeContext, field: str, value: str, known: dict[str, str]) -> str | None:
    """The new account's token from the login operation (registrations that answer none).

    What the login answer says about the account (`user_id`, `sub`) is added to `known`.
    """
    logins = ctx.credentials[0] if ctx.credentials else []
    for login in logins:
        body = ctx.body(login.op, ctx.anonymous)
        if (isinstance(body, dict) and field in body) or login.ident_field == field:
            payload = {**(body if isinstance(body, dict) else {})}
            payload.update({login.ident_field: value, login.password: NEW_PASSWORD})
            ex = await ctx.send(ctx.anonymous, login.op, login.op.path, body=payload, create=True)
            token = token_in(ex.json) if ex.ok else None
            if token:
                known.update({k: v for k, v in identifiers_in(ex.json).items() if k not in known})
                return token
    return None


async def remove_accounts(ctx: ProbeContext) -> list[str]:
    """Delete the accounts the run registered (cleanup); the error text for each that stays."""
    errors: list[str] = []
    for ident, op, path in ctx.accounts:
        ctx.client.own(path)  # only now, and only this account's own path
        ex = await ctx.send(ident, op, path)
        if not ex.ok:
            errors.append(
                f"could not delete the account the run registered at {path} "
                f"({ex.error or 'HTTP ' + str(ex.status)}); it is left in place"
            )
    return errors
