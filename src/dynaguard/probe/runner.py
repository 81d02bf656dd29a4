"""One probe run: spec, resources, setup, the probes, identity re-checks, cleanup, result."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

import httpx

from dynaguard import __version__
from dynaguard.core.findings import JSON, EngineKind, Finding, unique_fingerprints
from dynaguard.core.registry import Registered, all_rules
from dynaguard.core.result import Diagnostic, Result
from dynaguard.probe import spec as spec_mod
from dynaguard.probe.client import Limits, ScopedClient
from dynaguard.probe.context import ProbeContext, if_match
from dynaguard.probe.errors import BudgetExhausted, ProbeError, SafetyError, ScopeError
from dynaguard.probe.heuristics import is_destructive_path
from dynaguard.probe.identities import ANONYMOUS, Identity
from dynaguard.probe.resources import Obj, fill, find_id, group, list_items, owner_key
from dynaguard.probe.spec import Operation

Progress = Callable[[str, int, int], None]
ProbeCheck = Callable[[ProbeContext], Awaitable[list[Finding]]]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProbeOptions:
    """Everything one run needs; `transport` probes an ASGI app in-process."""

    target: str
    spec: str | None = None
    identities: tuple[Identity, ...] = ()
    active: bool = False
    exclude_paths: tuple[str, ...] = ()
    limits: Limits = field(default_factory=Limits)
    select: tuple[str, ...] = ()
    transport: httpx.AsyncBaseTransport | None = None
    progress: Progress | None = None


async def run_async(options: ProbeOptions) -> Result:
    """Probe the target and return the result (async; for use inside an event loop)."""
    started = time.monotonic()
    client = ScopedClient(
        options.target,
        identities=list(options.identities),
        limits=options.limits,
        active=options.active,
        transport=options.transport,
    )
    findings: list[Finding] = []
    ran: list[Registered] = []
    errors: list[str] = []
    try:
        ctx = await _context(options, client)
        try:
            try:
                await _setup(ctx)
            except BudgetExhausted as exc:
                errors.append(f"{exc} during setup; no probe ran")
            else:
                findings, ran, errors = await _probe(ctx, options)
        finally:
            cleanup_errors = await _cleanup(ctx)
    finally:
        await client.aclose()
    errors += cleanup_errors
    warnings = [*client.warnings, *ctx.notes, *(f"spec: {n}" for n in ctx.spec.notes)]
    return Result(
        tool_version=__version__,
        engine=EngineKind.PROBE,
        target=display_target(options.target),
        findings=tuple(unique_fingerprints(findings)),
        errors=tuple(Diagnostic(path=display_target(options.target), message=e) for e in errors),
        warnings=tuple(
            Diagnostic(path=display_target(options.target), message=w, kind="warning")
            for w in dict.fromkeys(warnings)
        ),
        rules=tuple(r.meta for r in ran),
        stats={**_stats(ctx, started), "complete": len(ran) == len(_selected(options))},
    )


def display_target(url: str) -> str:
    """The target as reports show it: a password in the URL replaced by [redacted]."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":[redacted]@", 1)
    return parts._replace(netloc=netloc).geturl()


async def _context(options: ProbeOptions, client: ScopedClient) -> ProbeContext:
    spec = await load_spec(options, client)
    excluded = _compile(options.exclude_paths)
    ops = [o for o in spec.operations if not any(p.search(o.path) for p in excluded)]
    return ProbeContext(
        client=client,
        spec=spec,
        resources=group(ops),
        identities=list(options.identities),
        exclude=list(options.exclude_paths),
        canary=_canary(ops),
    )


async def _setup(ctx: ProbeContext) -> None:
    await check_identities(ctx, first=True)
    await _singletons(ctx)
    if ctx.active:
        for res in ctx.resources:
            for ident in ctx.identities[:2]:
                obj, _ = await ctx.create(res, ident)
                if obj is not None:
                    await _refresh(ctx, obj)
    await _observe(ctx)


def _compile(patterns: tuple[str, ...]) -> list[re.Pattern[str]]:
    try:
        return [re.compile(p) for p in patterns]
    except re.error as exc:
        raise ProbeError(f"--exclude-path: bad regular expression ({exc})") from None


async def load_spec(options: ProbeOptions, client: ScopedClient) -> spec_mod.Spec:
    """Fetch (in scope only) or read the spec, parse it, and lock the servers it names."""
    _compile(options.exclude_paths)
    source = options.spec or client.base_url + "/openapi.json"
    if "://" in source:
        if not client.in_scope(source):
            raise ProbeError(
                f"--spec {source} is not on the target {client.base_url}; "
                "download it and pass the file instead"
            )
        cap = spec_mod.MAX_SPEC_BYTES
        status, text, error = await client.fetch_text(source, ANONYMOUS, cap)
        if status in (401, 403) and options.identities:
            status, text, error = await client.fetch_text(source, options.identities[0], cap)
        if error or status is None or not 200 <= status < 300:
            why = error or f"HTTP {status}"
            raise ProbeError(f"cannot load the spec from {client.redact(source)}: {why}")
        doc = spec_mod.parse_text(text, source)
    else:
        doc = spec_mod.read_file(Path(source))
    spec = spec_mod.build(doc)
    _lock_servers(spec, client)
    if not spec.operations:
        raise ProbeError("the spec declares no operations")
    return spec


def _lock_servers(spec: spec_mod.Spec, client: ScopedClient) -> None:
    for server in spec.servers:
        if "://" in server and not client.in_scope(server):
            client.warnings.append(
                f"spec server {server[:200]} is outside the target; ignored (scope lock)"
            )
            continue
        prefix = urlsplit(server).path.rstrip("/") if "://" in server else server.rstrip("/")
        if prefix and not urlsplit(client.base_url).path.strip("/") and prefix.startswith("/"):
            client.base_url = client.base_url + prefix
        break


def _canary(ops: list[Operation]) -> Operation | None:
    """A GET with no path parameters: it shows whether an identity still works."""
    for op in ops:
        plain = op.method == "GET" and "{" not in op.path and not is_destructive_path(op.path)
        needs_query = any(p.required and p.location == "query" for p in op.params)
        if plain and op.secured and not needs_query:
            return op
    return None


async def check_identities(ctx: ProbeContext, *, first: bool = False) -> None:
    """Stop the run when an identity that worked (or should work) is refused."""
    op = ctx.canary
    if op is None:
        return
    for ident in ctx.identities:
        ex = await ctx.send(ident, op, op.path)
        if first and ex.status not in (401, 403) and not ex.ok:
            # A canary that does not answer cannot tell anything: run without re-checks.
            ctx.notes.append(f"{op.route} did not answer 2xx; identities are not re-checked")
            ctx.canary = None
            return
        if ex.status in (401, 403):
            state = "is refused" if first else "stopped working"
            raise ProbeError(
                f"identity {ident.name} {state}: {op.route} answered {ex.status}; "
                "check the --identity header (stopping so no probe runs half-blind)"
            )


async def _observe(ctx: ProbeContext) -> None:
    """Learn objects each identity can list (ids and owner values) without changing anything."""
    for res in ctx.resources:
        if res.list_op is None or res.item is None or res.collection_params():
            continue
        for ident in ctx.identities[:2]:
            ex = await ctx.send(ident, res.list_op, res.collection)
            items = [i for i in list_items(ex.json) if isinstance(i, dict)] if ex.ok else []
            mine = _own_value(ctx, ident, items)
            known = {o.id for o in ctx.objects if o.resource is res}
            taken = 0
            for item in items:
                key = owner_key(item)
                # An unscoped list shows others' objects too: attribute only provable ones.
                if key is not None and mine is not None and str(item[key]) != mine:
                    continue
                oid = find_id(res, item)
                if oid is None or oid in known or taken >= 3:
                    continue
                params = {res.id_param or "id": oid}
                ctx.objects.append(
                    Obj(
                        resource=res,
                        owner=ident.name,
                        id=oid,
                        path=fill(res.item, params),
                        params=params,
                        body=item,
                    )
                )
                taken += 1


def _own_value(ctx: ProbeContext, ident: Identity, items: list[dict[str, JSON]]) -> str | None:
    """The identity's owner value: learned from its creations, else the one all its items share."""
    known = ctx.owner_value(ident)
    if known is not None:
        return known
    values = {str(i[k]) for i in items if isinstance(i, dict) and (k := owner_key(i))}
    if len(values) == 1:
        ctx.owner_values[ident.name] = values.pop()
        return ctx.owner_values[ident.name]
    return None


async def _singletons(ctx: ProbeContext) -> None:
    """Each identity's own `/users/me`-like object, with its state kept for the restore."""
    for res in ctx.resources:
        if not res.singleton or res.read is None or res.item is None:
            continue
        for ident in ctx.identities[:2]:
            ex = await ctx.send(ident, res.read, res.item)
            if ex.ok and isinstance(ex.json, dict):
                obj = Obj(
                    resource=res,
                    owner=ident.name,
                    id=ident.name,
                    path=res.item,
                    body=ex.json,
                    original=ex.json,
                )
                ctx.objects.append(obj)
                if ctx.active:
                    ctx.client.own(res.item)


async def _restore(ctx: ProbeContext, obj: Obj) -> str | None:
    """Put a singleton back as it was; the error text when it cannot be."""
    res, ident = obj.resource, ctx.identity(obj.owner)
    original = obj.original if isinstance(obj.original, dict) else {}
    now = await ctx.read(obj, ident)
    current = now.json if now is not None and isinstance(now.json, dict) else {}
    changed = {k: v for k, v in original.items() if current.get(k) != v and k != "version"}
    if not changed:
        return None
    for op in (res.patch, res.replace):
        if op is None:
            continue
        body = {**changed} if op is res.patch else {**current, **changed}
        await ctx.send(ident, op, obj.path, body=body, headers=if_match(now))
        after = await ctx.read(obj, ident)
        now = after
        back = after.json if after is not None and isinstance(after.json, dict) else {}
        if all(back.get(k) == v for k, v in changed.items()):
            return None
    return f"could not restore {', '.join(sorted(changed))} of {obj.path} for {ident.name}"


async def _refresh(ctx: ProbeContext, obj: Obj) -> None:
    ex = await ctx.read(obj, ctx.identity(obj.owner))
    if ex is not None and ex.ok and isinstance(ex.json, dict):
        obj.body = ex.json
        ctx.learn_owner(obj)


def _selected(options: ProbeOptions) -> list[Registered]:
    import dynaguard.probe.probes  # noqa: F401  (registers every probe)

    probes = all_rules(EngineKind.PROBE)
    if options.select:
        wanted = {s.upper() for s in options.select}
        probes = [p for p in probes if p.meta.id in wanted or p.meta.name in options.select]
    return probes


async def _probe(
    ctx: ProbeContext, options: ProbeOptions
) -> tuple[list[Finding], list[Registered], list[str]]:
    findings: list[Finding] = []
    ran: list[Registered] = []
    errors: list[str] = []
    probes = _selected(options)
    for n, probe in enumerate(probes, 1):
        if options.progress:
            options.progress(f"{probe.meta.id} {probe.meta.name}", n, len(probes))
        try:
            await check_identities(ctx)
            findings += await cast(ProbeCheck, probe.check)(ctx)
        except BudgetExhausted as exc:
            errors.append(f"{exc}; stopped before {probe.meta.id} finished")
            break
        except ProbeError as exc:
            if isinstance(exc, (SafetyError, ScopeError)):
                # A probe asked for something the safety model forbids: refused, run goes on.
                ctx.notes.append(f"{probe.meta.id}: {exc}")
                ran.append(probe)
                continue
            errors.append(f"{exc}")
            break
        ran.append(probe)
    return findings, ran, errors


async def _cleanup(ctx: ProbeContext) -> list[str]:
    """Delete what this run created, newest first; a failure to delete is an error."""
    errors: list[str] = []
    left = [o for o in reversed(ctx.objects) if o.created and not o.deleted]
    ctx.client.limits = Limits(
        # Cleanup is never skipped for budget: deletes, and up to 5 requests per restore.
        budget=ctx.client.limits.budget + 2 * len(left) + 5 * len(ctx.objects),
        rate=ctx.client.limits.rate,
        timeout=ctx.client.limits.timeout,
        max_bytes=ctx.client.limits.max_bytes,
    )
    for obj in [o for o in ctx.objects if o.resource.singleton and ctx.active]:
        problem = await _restore(ctx, obj)
        if problem:
            errors.append(problem)
    for obj in left:
        op = obj.resource.delete
        if op is None:
            errors.append(f"created {obj.path} but the API has no DELETE for it; left in place")
            continue
        ex = await ctx.send(ctx.identity(obj.owner), op, obj.path)
        if ex.ok or ex.status in (404, 410):
            obj.deleted = True
        else:
            why = ex.error or f"HTTP {ex.status}"
            errors.append(f"could not delete {obj.path} created by this run ({why})")
    return errors


def _stats(ctx: ProbeContext, started: float) -> dict[str, JSON]:
    methods = Counter(e.method for e in ctx.client.log)
    return {
        "requests": ctx.client.sent,
        "methods": dict(sorted(methods.items())),
        "seconds": round(time.monotonic() - started, 3),
        "operations": len(ctx.spec.operations),
        "resources": len(ctx.resources),
        "objects_created": sum(1 for o in ctx.objects if o.created),
        "objects_deleted": sum(1 for o in ctx.objects if o.created and o.deleted),
        "failed_requests": sum(1 for e in ctx.client.log if e.error),
        "truncated_responses": sum(1 for e in ctx.client.log if e.truncated),
        "active": ctx.active,
        "identities": [i.name for i in ctx.identities],
    }
