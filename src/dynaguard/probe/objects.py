"""The run's objects: observed and created ones, each identity's profile, and the cleanup.

The cleanup runs in a task of its own so that a cancelled run (Ctrl-C, SIGTERM, a test
timeout) still deletes what it created and puts the profiles back: measured here, a
cleanup awaited inside the cancelled task was itself cancelled at its next request.
"""

from __future__ import annotations

import asyncio

from dynaguard.core.findings import JSON
from dynaguard.probe.accounts import remove_accounts
from dynaguard.probe.context import ProbeContext, if_match
from dynaguard.probe.errors import ProbeError
from dynaguard.probe.heuristics import norm
from dynaguard.probe.identities import Identity
from dynaguard.probe.resources import Obj, fill, find_id, list_items, owner_key, safe_id

# Cancellations held back while the cleanup runs (each Ctrl-C cancels once; SIGTERM too).
MAX_HELD_CANCELS = 5


async def cleanup(ctx: ProbeContext) -> list[str]:
    """Delete what the run created and restore the profiles; the errors, one line each.

    A cancellation that arrives meanwhile is held until the cleanup is done, then
    re-raised with what it did; a second Ctrl-C (KeyboardInterrupt) abandons it.
    """
    task = asyncio.ensure_future(_cleanup(ctx))
    cancelled = False
    for _ in range(MAX_HELD_CANCELS):
        try:
            left = await asyncio.shield(task)
        except asyncio.CancelledError:
            cancelled = True
            if task.cancelled():
                # The cancellation reached the cleanup task through the HTTP stack: start
                # again (idempotent: deleted objects are marked, restores compare states).
                task = asyncio.ensure_future(_cleanup(ctx))
            continue
        if cancelled:
            raise asyncio.CancelledError(cleanup_summary(ctx, left))
        return left
    task.cancel()
    raise asyncio.CancelledError("cleanup abandoned: cancelled again and again")


def cleanup_summary(ctx: ProbeContext, left: list[str]) -> str:
    """What the cleanup of an interrupted run did, in one line."""
    created = [o for o in ctx.objects if o.created]
    profiles = [o for o in ctx.objects if (o.resource.singleton or o.profile) and ctx.active]
    done = (
        f"cleanup deleted {sum(o.deleted for o in created)} of {len(created)} object(s) "
        f"this run created and checked {len(profiles)} profile(s)"
    )
    return done + (": " + "; ".join(left) if left else ", all restored")


async def observe(ctx: ProbeContext) -> None:
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
                if oid is None or oid in known or taken >= 3 or not safe_id(oid):
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


async def singletons(ctx: ProbeContext) -> None:
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
                    # Writable for the update probes and the restore: PUT/PATCH on this
                    # exact path only, never a DELETE or an action below it.
                    ctx.client.own_profile(res.item)


async def _restore(ctx: ProbeContext, obj: Obj) -> str | None:
    """Put a singleton back as it was; the error text when it cannot be."""
    res, ident = obj.resource, ctx.identity(obj.owner)
    original = obj.original if isinstance(obj.original, dict) else {}
    now = await ctx.read(obj, ident)
    current = now.json if now is not None and isinstance(now.json, dict) else {}
    # A version (`version`, `rev`, `settings_version`) is the server's: the restore sends
    # the current one back (optimistic locking wants what was read), never the original.
    locks = {k: v for k, v in current.items() if _is_version(k)}
    changed = {k: v for k, v in original.items() if current.get(k) != v and not _is_version(k)}
    if not changed:
        return None
    for op in (res.patch, res.replace):
        if op is None:
            continue
        body = {**locks, **changed} if op is res.patch else {**current, **changed}
        await ctx.send(ident, op, obj.path, body=body, headers=if_match(now))
        after = await ctx.read(obj, ident)
        now = after
        back = after.json if after is not None and isinstance(after.json, dict) else {}
        if all(back.get(k) == v for k, v in changed.items()):
            return None
    return f"could not restore {', '.join(sorted(changed))} of {obj.path} for {ident.name}"


def _is_version(name: str) -> bool:
    """Whether a property is a version the server keeps (optimistic locking)."""
    key = norm(name).strip("_")
    return key in ("version", "rev", "revision", "etag") or key.endswith("_version")


async def refresh(ctx: ProbeContext, obj: Obj) -> None:
    """Re-read an object the run created, and learn its owner value from it."""
    ex = await ctx.read(obj, ctx.identity(obj.owner))
    if ex is not None and ex.ok and isinstance(ex.json, dict):
        obj.body = ex.json
        ctx.learn_owner(obj)


async def _cleanup(ctx: ProbeContext) -> list[str]:
    """Delete what this run created, newest first; a failure to delete is an error."""
    ctx.cleaning = True
    errors: list[str] = list(dict.fromkeys(ctx.leftovers))
    left = [o for o in reversed(ctx.objects) if o.created and not o.deleted]
    # Cleanup is never skipped for budget or time: deletes, and up to 5 requests per restore.
    ctx.client.extend_for_cleanup(2 * len(left) + 5 * len(ctx.objects))
    for obj in [o for o in ctx.objects if (o.resource.singleton or o.profile) and ctx.active]:
        try:
            problem = await _restore(ctx, obj)
        except ProbeError as exc:  # one refused restore must not skip the others
            problem = f"could not restore {obj.path} for {obj.owner} ({exc})"
        if problem:
            errors.append(problem)
    try:
        errors += await remove_accounts(ctx)
    except ProbeError as exc:
        errors.append(f"could not delete the accounts the run registered ({exc})")
    for obj in left:
        try:
            problem = await _delete(ctx, obj)
        except ProbeError as exc:
            problem = f"could not delete {obj.path} created by this run ({exc})"
        if problem:
            errors.append(problem)
    return errors


async def _delete(ctx: ProbeContext, obj: Obj) -> str | None:
    """Delete one object the run created; the error text when it stays."""
    from dynaguard.probe.creating import REFUSED, deleters

    op = obj.resource.delete
    if op is None:
        return f"created {obj.path} but the API has no DELETE for it; left in place"
    answers: dict[str, int | None] = {}
    for ident in deleters(ctx, obj):
        ex = await ctx.send(ident, op, obj.path)
        if ex.ok:
            obj.deleted = True
            return None
        answers[ident.name] = ex.status
        # 404 may mean "not yours" (an ownership the run got wrong): ask the others too.
        if ex.status not in REFUSED:
            break
    # Gone when every identity says so, or when one that sees it for sure (its owner, a
    # privileged identity) says it is not there; another user's 404 means "not yours".
    trusted = {obj.owner, *(i.name for i in ctx.identities if i.privileged)}
    gone = [n for n, a in answers.items() if a in (404, 410)]
    if answers and (len(gone) == len(answers) or trusted & set(gone)):
        obj.deleted = True
        return None
    why = ex.error or f"HTTP {ex.status}"
    return f"could not delete {obj.path} created by this run ({why}); it is left in place"
