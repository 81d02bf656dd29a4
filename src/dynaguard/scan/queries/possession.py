"""A request that proves it holds the object's own secret (an ownership check, DG103).

A device, a webhook sender or a capability link authenticates with a secret stored on the
object itself: the object is read by the request's id, then a credential the request
carries is compared with the item's stored secret (or its hash), and the request fails
otherwise (`if not hmac.compare_digest(sha256(key), item["key_hash"]): raise`). The caller
has shown it holds that object's key, which ties the object to it as a principal would.

A credential is any request value a verifier compares with the item (a constant-time
compare, a password or key hash check), or, on a route no dependency or middleware
authenticates, a header or cookie value compared with it (what authenticates the request,
authn.py; beside a token, an `X-Tenant` header is only the client's choice).
"""

from __future__ import annotations

import ast

from dynaguard.scan.authn_verify import verifier
from dynaguard.scan.fixpoint import CallKey
from dynaguard.scan.flow import key_value
from dynaguard.scan.frames import Event
from dynaguard.scan.index import Project
from dynaguard.scan.provenance import REQUEST_ORIGINS, Origin, Source, Value
from dynaguard.scan.report import request_sources
from dynaguard.scan.symbols import ModuleInfo
from dynaguard.scan.walk import nodes

__all__ = ["possessed"]

CARRIERS = frozenset({Origin.HEADER, Origin.COOKIE})  # what a plain comparison checks


def possessed(project: Project, evs: list[Event], index: int, *, compared: bool) -> bool:
    """The operation `evs[index]` addresses an object the request proved it holds the
    secret of: a read by the same request values (or more) whose item a failing check
    compares with the request's credential, before the operation when it writes.
    `compared`: a plain comparison with a header or cookie counts (the request has no other
    authentication, so that value is its credential); a verifier's always does."""
    ev = evs[index]
    assert ev.call is not None
    key = key_value(project, ev.call, ev.frame)
    wanted = _chosen(request_sources(key)) if key is not None else set()
    if not wanted:
        return False
    window = evs if ev.call.is_read else evs[:index]
    reads = {
        e.call.key: e
        for e in evs
        if e.kind == "read" and e.call is not None and e.call.key is not None
    }
    for check in window:
        if check.kind != "check":
            continue
        for read_key in sorted(check.reads & reads.keys(), key=repr):
            read = reads[read_key]
            assert read.call is not None
            rk = key_value(project, read.call, read.frame)
            if rk is None or not wanted <= _chosen(request_sources(rk)):
                continue  # the secret of another object
            if _compares_secret(project, check, read_key, rk, compared):
                return True
    return False


def _chosen(sources: set[Source]) -> set[tuple[Origin, str, tuple[str, ...]]]:
    return {(s.origin, s.name, s.path) for s in sources}


def _compares_secret(
    project: Project, check: Event, read: CallKey, rk: Value, compared: bool
) -> bool:
    """The check's test compares the read item with a credential of the request: neither
    the item's own key attributes nor the request values it was read by (the id compared
    with itself proves nothing)."""
    key_names = {name for name, _ in rk.fields or ()}
    by = _chosen(request_sources(rk))
    test = check.node.test if isinstance(check.node, ast.If | ast.Assert) else None
    if test is None:
        return False
    mod = check.frame.module
    for n in nodes(test):
        if isinstance(n, ast.Compare):
            if not compared or all(isinstance(op, ast.Is | ast.IsNot) for op in n.ops):
                continue  # presence only, or a header beside another authentication
            sides: list[ast.expr] = [n.left, *n.comparators]
            carriers = CARRIERS
        elif isinstance(n, ast.Call) and verifier(
            n, mod, lambda name, m: _imported(project, name, m)
        ):
            sides = [*n.args, *(k.value for k in n.keywords)]
            carriers = REQUEST_ORIGINS
        else:
            continue
        values = [project.values.of(s, check.frame) for s in sides]
        stored = [
            i
            for i, v in enumerate(values)
            if any(
                s.origin is Origin.ITEM and s.call == read and not set(s.path) & key_names
                for s in v.sources
            )
        ]
        presented = [
            i for i, v in enumerate(values) if v.origins() & carriers and not _only_by(v, by)
        ]
        if any(i != j for i in stored for j in presented):
            return True
    return False


def _only_by(value: Value, by: set[tuple[Origin, str, tuple[str, ...]]]) -> bool:
    """The value is nothing but request values the item was read by."""
    chosen = _chosen(request_sources(value))
    return bool(chosen) and chosen <= by


def _imported(project: Project, name: str, mod: ModuleInfo) -> tuple[ModuleInfo, ast.expr] | None:
    """A name imported from a project module, with the value it is assigned there."""
    sym = project.resolve_name(name, mod)
    if isinstance(sym, tuple) and project.modules[sym[0]].globals.get(sym[1]):
        home = project.modules[sym[0]]
        return home, home.globals[sym[1]][0]
    return None
