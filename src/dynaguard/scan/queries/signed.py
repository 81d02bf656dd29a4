"""Request bodies an endpoint verifies with an HMAC signature (DG103).

A webhook from a payment provider or a chat platform carries no user: the provider signs
the raw body with a secret it shares with the server, and the endpoint recomputes the
HMAC over the bytes it received and compares it with the signature header
(`hmac.compare_digest`), failing otherwise. The ids inside such a body were chosen by the
signer, not by whoever calls the API: a caller who changes one breaks the signature.

Decided by what the code does: the endpoint reads the raw body (`await request.body()`),
and the endpoint or a project function it passes those bytes to computes an HMAC over
them (`hmac.new(key, raw, ...)`, `hmac.digest`) and calls `compare_digest` in a function
that raises, or hands them to a provider's verifier that raises by itself
(`stripe.Webhook.construct_event(raw, signature, secret)`).
"""

from __future__ import annotations

import ast

from dynaguard.scan.authn_verify import raise_deciders
from dynaguard.scan.frames import Frame
from dynaguard.scan.index import Project
from dynaguard.scan.model import FunctionInfo, ParamSource, Route
from dynaguard.scan.provenance import Origin, Source
from dynaguard.scan.queries.memo import once
from dynaguard.scan.symbols import dotted, last_name
from dynaguard.scan.walk import nodes

__all__ = ["signed_sources"]

RAW = frozenset({"body", "json"})  # Starlette keeps the bytes: json() parses the same body
MACS = frozenset({"hmac.new", "hmac.digest", "hmac.HMAC"})
# webhook SDKs that verify the signature over the raw bytes and raise when it does not hold
PROVIDERS = ("stripe.Webhook.construct_event", "stripe.WebhookSignature.verify_header")


def signed_sources(project: Project, route: Route, sources: set[Source]) -> bool:
    """Every source is the raw request body (or a value inside it) the endpoint verifies
    with an HMAC signature before use."""
    fn = project.functions.get(route.function)
    if fn is None or not sources:
        return False
    if not once(project, ("signed", fn.qualname), lambda p: _signed(p, fn)):
        return False
    request = {p.name for p in route.params if p.source is ParamSource.REQUEST}
    return all(
        s.origin is Origin.BODY and s.name in {f"{r}.{m}()" for r in request for m in RAW}
        for s in sources
    )


def _signed(project: Project, fn: FunctionInfo) -> bool:
    """The endpoint verifies an HMAC over its raw body (once per endpoint: DG103 asks it
    for every keyed call of a route)."""
    raw = _raw_names(fn)
    return bool(raw) and _verifies(project, fn, raw, frozenset())


def _raw_names(fn: FunctionInfo) -> set[str]:
    """Locals assigned the raw body: `raw = await request.body()`."""
    out: set[str] = set()
    for n in nodes(fn.node):
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
            value = n.value.value if isinstance(n.value, ast.Await) else n.value
            if isinstance(value, ast.Call) and last_name(value) == "body" and not value.args:
                out.add(n.targets[0].id)
    return out


def _verifies(project: Project, fn: FunctionInfo, raw: set[str], seen: frozenset[str]) -> bool:
    """`fn` MACs one of `raw` and raises when a `compare_digest` fails, or passes one of
    them to a project function that does (`seen`: the functions entered, so recursion ends)."""
    calls = [n for n in nodes(fn.node) if isinstance(n, ast.Call)]
    mod = project.module_of(fn)
    macs = any(
        (dotted(c.func, mod) or "") in MACS
        and any(isinstance(a, ast.Name) and a.id in raw for a in c.args)
        for c in calls
    )
    if macs and _guarded_compare(fn):
        return True
    if any(
        (dotted(c.func, mod) or "").endswith(PROVIDERS)
        and any(isinstance(a, ast.Name) and a.id in raw for a in c.args)
        for c in calls
    ):
        return True  # a provider's SDK checks the signature over the bytes, raising if bad
    frame = Frame(fn, mod)
    for c in calls:
        passed = [i for i, a in enumerate(c.args) if isinstance(a, ast.Name) and a.id in raw]
        callee = project.values.target(c, frame) if passed else None
        if isinstance(callee, FunctionInfo) and callee.qualname not in seen | {fn.qualname}:
            params = [a.arg for a in callee.params]
            inner = {params[i] for i in passed if i < len(params)}
            if inner and _verifies(project, callee, inner, seen | {fn.qualname}):
                return True
    return False


def _guarded_compare(fn: FunctionInfo) -> bool:
    """A `compare_digest` whose failure raises (authn_verify.raise_deciders)."""
    return any(
        isinstance(n, ast.Call) and last_name(n) == "compare_digest"
        for n in raise_deciders(nodes(fn.node))
    )
