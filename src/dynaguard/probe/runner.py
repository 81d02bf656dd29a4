"""One probe run: spec, resources, setup, the probes, identity re-checks, cleanup, result."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

import httpx

from dynaguard import __version__
from dynaguard.core.findings import JSON, EngineKind, Finding, unique_fingerprints
from dynaguard.core.registry import Registered, all_rules
from dynaguard.core.result import Diagnostic, Result
from dynaguard.probe import objects, whoami
from dynaguard.probe import spec as spec_mod
from dynaguard.probe.client import SAFE_METHODS, Limits, ScopedClient, scaled_budget
from dynaguard.probe.context import ProbeContext
from dynaguard.probe.errors import (
    BudgetExhausted,
    IdentityBroken,
    ProbeError,
    SafetyError,
    ScopeError,
    TargetDown,
)
from dynaguard.probe.evidence import Exchange
from dynaguard.probe.heuristics import is_destructive_path
from dynaguard.probe.identities import ANONYMOUS, Identity
from dynaguard.probe.resources import group
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
    """Probe the target and return the result (async; for use inside an event loop).

    Cancelled (Ctrl-C, SIGTERM, a test timeout), it still cleans up, then re-raises
    CancelledError whose message says what the cleanup did.
    """
    started = time.monotonic()
    client = ScopedClient(
        options.target,
        identities=list(options.identities),
        limits=options.limits,
        active=options.active,
        transport=options.transport,
    )
    try:
        ctx = await _context(options, client)
        findings, ran, errors, left = await _guarded(ctx, options)
    finally:
        await client.aclose()
    silent, useless = _unanswered(ctx)
    errors += left
    skipped = not_exercised(ctx, options)
    warnings = [*client.warnings, *ctx.notes, *(f"spec: {n}" for n in ctx.spec.notes)]
    warnings += [f"not exercised: {route} ({why})" for route, why in skipped.items()]
    if not client.log:
        warnings.append("no request was sent: no operation in the spec could be probed")
    where = display_target(options.target)
    return Result(
        tool_version=__version__,
        engine=EngineKind.PROBE,
        target=where,
        findings=tuple(unique_fingerprints(findings)),
        errors=tuple(Diagnostic(path=where, message=e) for e in [*silent, *errors]),
        warnings=tuple(
            Diagnostic(path=where, message=w, kind="warning") for w in dict.fromkeys(warnings)
        ),
        rules=tuple(r.meta for r in ran),
        stats={
            **_stats(ctx, started),
            "not_exercised": dict[str, JSON](skipped),
            # Producer -> consumer links a successful read proved (how ids were found).
            "links_confirmed": {
                r.item or r.collection: list[JSON](sorted(r.confirmed))
                for r in ctx.resources
                if r.confirmed
            },
            "probes_run": len(ran),
            "probes_selected": len(_selected(options)),
            # Any error (a target that stopped answering, a budget or time limit, an object
            # left behind, a broken identity) makes the run incomplete: never a clean grade.
            "complete": len(ran) == len(_selected(options)) and not silent and not errors,
            # It could not do its job: exit 2 even with findings (ARCHITECTURE.md, exit codes).
            "run_failed": useless or bool(left) or ctx.broken is not None,
        },
    )


async def _guarded(
    ctx: ProbeContext, options: ProbeOptions
) -> tuple[list[Finding], list[Registered], list[str], list[str]]:
    """Setup and probes, then the cleanup on every way out: success, error, cancellation."""
    findings: list[Finding] = []
    ran: list[Registered] = []
    try:
        try:
            await _setup(ctx)
        except (BudgetExhausted, TargetDown, IdentityBroken) as exc:
            errors = [f"{exc} during setup; no probe ran"]
        else:
            findings, ran, errors = await _probe(ctx, options)
    except asyncio.CancelledError:
        left = await objects.cleanup(ctx)
        raise asyncio.CancelledError(objects.cleanup_summary(ctx, left)) from None
    except Exception as exc:
        left = await objects.cleanup(ctx)
        if isinstance(exc, ProbeError) and left:
            raise ProbeError(f"{exc}; and {'; '.join(left)}") from None
        raise
    return findings, ran, errors, await objects.cleanup(ctx)


def not_exercised(ctx: ProbeContext, options: ProbeOptions) -> dict[str, str]:
    """Every spec operation no request reached, with the reason (the report lists them)."""
    sent = {e.route for e in ctx.client.log}
    excluded = _compile(options.exclude_paths)
    singletons = {r.item for r in ctx.resources if r.singleton}
    # User resources (`/members/{login}`): their DELETE closes an identity's account.
    singletons |= {o.resource.item for o in ctx.objects if o.profile}
    out: dict[str, str] = {}
    for op in ctx.spec.operations:
        if op.route in sent:
            continue
        if any(p.search(op.path) for p in excluded):
            why = "excluded by --exclude-path"
        elif op.route in ctx.skipped:
            why = ctx.skipped[op.route]
        elif is_destructive_path(op.path):
            why = "its name looks destructive (reset, drop, seed, shell...); never sent"
        elif op.method not in SAFE_METHODS and not ctx.active:
            why = "state-changing; safe mode sends none (--active allows writes)"
        elif op.method == "DELETE" and op.path in singletons:
            why = "deletes an identity's own account or profile; never sent"
        elif op.method not in SAFE_METHODS and ctx.broken:
            why = "writes stopped after an identity broke"
        else:
            why = "no probe applies: no object of its resource was found or created"
        out[op.route] = why
    return out


def _unusable(ex: Exchange) -> bool:
    """No answer a probe can read: an error, a timeout, a cut body, a redirect or a 5xx."""
    if ex.error or ex.truncated or ex.status is None:
        return True
    return not (200 <= ex.status < 300 or 400 <= ex.status < 500)


def _unanswered(ctx: ProbeContext) -> tuple[list[str], bool]:
    """Errors when requests got no usable answer: a down or hostile target is not a clean one.

    Most requests unusable: the run proves nothing. Some requests that got no answer at all
    (timeouts, transport errors, cut bodies, redirects; a 5xx is an answer): incomplete.
    """
    log = ctx.client.log
    if not log:
        return [], False
    bad = [e for e in log if _unusable(e)]
    first = next((e.error for e in bad if e.error), None) or (
        f"HTTP {bad[0].status}" if bad else ""
    )
    where = display_target(ctx.client.base_url)
    if 2 * len(bad) > len(log):
        return [
            f"the target gave no usable answer to {len(bad)} of {len(log)} requests "
            f"(errors, timeouts, cut bodies, redirects or 5xx; first: {first}); "
            f"is it up at {where}? The run proves nothing"
        ], True
    lost = [e for e in bad if e.error or e.truncated or (e.status or 0) < 500]
    if not lost:
        return [], False
    routes = sorted({e.route for e in lost})
    return [
        f"incomplete: {len(lost)} of {len(log)} requests got no answer "
        f"(first: {lost[0].error or 'HTTP ' + str(lost[0].status)}), on {len(routes)} "
        f"operation(s): {', '.join(routes[:5])}{' ...' if len(routes) > 5 else ''}"
    ], False


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
    if client.limits.budget is None:
        client.limits = replace(client.limits, budget=scaled_budget(len(ops)))
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
    await objects.singletons(ctx)
    await whoami.learn(ctx)
    if ctx.active:
        for res in ctx.resources:
            for ident in ctx.identities[:2]:
                obj, _ = await ctx.create(res, ident)
                if obj is not None:
                    await objects.refresh(ctx, obj)
    await objects.observe(ctx)


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
                f"--spec {client.redact(source)} is not on the target "
                f"{client.redact(client.base_url)}; "
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
    for written in spec.servers:
        # A network-path reference (RFC 3986 4.2): another origin unless it names ours.
        server = f"{client.origin[0]}:{written}" if written.startswith("//") else written
        if "://" in server and not client.in_scope(server):
            client.warnings.append(
                f"spec server {client.redact(server[:200])} is outside the target; "
                "ignored (scope lock)"
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
        if first and ex.status not in (401, 403) and (not ex.ok or ex.error or ex.truncated):
            # A canary that does not answer cannot tell anything: run without re-checks.
            ctx.notes.append(f"{op.route} did not answer 2xx; identities are not re-checked")
            ctx.canary = None
            return
        broken = ex.status in (401, 403) or (not first and (ex.error or not ex.ok))
        if broken:
            state = "is refused" if first else "stopped working"
            message = (
                f"identity {ident.name} {state}: {op.route} answered {ex.error or ex.status}; "
                "check the --identity header (stopping so no probe runs half-blind)"
            )
            if first:
                raise ProbeError(message)
            ctx.broken = message
            raise IdentityBroken(message)


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
