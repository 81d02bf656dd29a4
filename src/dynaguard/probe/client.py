"""The one HTTP client the prober uses: scope-locked, budgeted, rate-limited, redacting.

Every request goes through `ScopedClient.send`, so the safety model is enforced in one
place: the target's scheme, host and port only; no redirect followed; state-changing
methods only with --active and only on objects the prober created; a request budget, a
rate limit, a per-request deadline and a response-size cap. A slow, huge or malformed
answer is recorded as an exchange with an error, never raised.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from dataclasses import dataclass, replace
from urllib.parse import unquote, urlencode, urljoin, urlsplit

import httpx

from dynaguard.core.findings import JSON
from dynaguard.probe.errors import (
    BudgetExhausted,
    ProbeError,
    SafetyError,
    ScopeError,
    TargetDown,
    TimeUp,
)
from dynaguard.probe.evidence import Exchange, Redactor
from dynaguard.probe.heuristics import is_destructive_path
from dynaguard.probe.identities import Identity

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
USER_AGENT = "dynaguard-probe"
_DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_TIMEOUTS_PER_ROUTE = 2
# This many requests in a row with no answer at all: the target is down or stalling.
MAX_FAILED_STREAK = 6
# The cleanup may run this long past --max-time (it deletes what the run created).
CLEANUP_SECONDS = 60.0


# The default request budget grows with the API: a 50-operation API needs ~750 requests.
DEFAULT_BUDGET = 600
BUDGET_PER_OPERATION = 20


def scaled_budget(operations: int) -> int:
    """The request budget when none is given: 600, or 20 per operation for larger APIs."""
    return max(DEFAULT_BUDGET, BUDGET_PER_OPERATION * operations)


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Bounds on one run: requests, requests per second, seconds per request, bytes per body."""

    budget: int | None = None  # None: scaled_budget() of the spec's operations
    rate: float = 0.0  # requests per second; 0 means unlimited
    timeout: float = 10.0
    max_bytes: int = 1_000_000
    # The whole run (probes; the cleanup gets its own short extension): a stalling target
    # costs at most this, not one timeout per request.
    max_time: float = 180.0


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL, default ports filled in."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. "http://[::1" (an unclosed IPv6 bracket)
        raise ProbeError(f"not a valid URL: {url!r} ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ProbeError(f"not an http(s) URL: {url!r}")
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        raise ProbeError(f"bad port in URL {url!r}") from None
    return scheme, parts.hostname.lower(), port


class ScopedClient:
    """Sends requests for the probes and records each one as a redacted Exchange."""

    def __init__(
        self,
        base_url: str,
        *,
        identities: list[Identity],
        limits: Limits,
        active: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.origin = origin(base_url)
        self.base_url = base_url.rstrip("/")
        self.limits = limits
        self.active = active
        self.log: list[Exchange] = []
        self.warnings: list[str] = []
        self.owned: set[str] = set()  # concrete paths of objects this run created
        # Each identity's own profile (`/users/me`): updated with --active and restored at
        # the end -- a documented exception to "only what the run created" (see --help).
        self.profiles: set[str] = set()
        secrets = [s for i in identities for s in i.secrets()]
        password = urlsplit(base_url).password
        if password:
            secrets.append(password)  # http://user:password@host: never in a report
        self.redact = Redactor(secrets)
        self._secret_headers = {k.lower() for i in identities for k in i.headers}
        self._last_start = 0.0
        self._timeouts: dict[str, int] = {}
        self.deadline = time.monotonic() + limits.max_time
        self._streak = 0  # consecutive requests that got no answer
        self._last_failure = ""
        if transport is None:
            # Headers and body go out in two writes; with Nagle on, each request with a body
            # waits for the server's delayed ACK (~40 ms on Linux loopback).
            nodelay = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
            transport = httpx.AsyncHTTPTransport(socket_options=nodelay, trust_env=False)
        self._client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,  # redirects are recorded, never followed
            timeout=httpx.Timeout(limits.timeout),
            headers={"User-Agent": USER_AGENT},
            trust_env=False,  # no proxy from the environment may carry requests elsewhere
        )

    @property
    def sent(self) -> int:
        """Requests sent so far."""
        return len(self.log)

    def in_scope(self, url: str) -> bool:
        """Whether a URL has the target's scheme, host and port."""
        try:
            return origin(url) == self.origin
        except ProbeError:
            return False

    def url_for(self, path: str, query: dict[str, str] | None = None) -> str:
        """The absolute URL of a path under the target (the path must be relative to it)."""
        if "://" in path or path.startswith("//"):
            raise ScopeError(f"absolute URL refused: {path!r}")
        if any(unquote(seg) in (".", "..") for seg in path.split("?", 1)[0].split("/")):
            # `/notes/..` is `/`: an id of `.` or `..` would aim a DELETE at the collection.
            raise SafetyError(f"path {path[:200]!r} has a '.' or '..' segment; not sent")
        url = self.base_url + ("/" + path.lstrip("/"))
        if query:
            url += "?" + urlencode(query)
        return url

    def own(self, path: str) -> None:
        """Mark a concrete object path as created by this run (state-changing allowed)."""
        self.owned.add(path.rstrip("/"))

    def own_profile(self, path: str) -> None:
        """Allow PUT/PATCH on exactly this profile path (nothing below it, never DELETE)."""
        self.profiles.add(path.rstrip("/"))

    def owns(self, path: str) -> bool:
        """Whether the path is, or is under, an object this run created."""
        p = path.rstrip("/")
        return any(p == o or p.startswith(o + "/") for o in self.owned)

    def _check_safety(self, method: str, path: str, create: bool) -> None:
        # A GET that resets a database is still a reset: the path decides, not the method.
        if is_destructive_path(path) and not self.owns(path):
            raise SafetyError(f"{method} {path} looks destructive; not sent")
        if method in SAFE_METHODS:
            return
        if not self.active:
            raise SafetyError(f"{method} {path} is state-changing; safe mode sends none")
        if method in ("PUT", "PATCH") and path.rstrip("/") in self.profiles:
            return
        if not (create and method == "POST") and not self.owns(path):
            raise SafetyError(f"{method} {path} targets an object this run did not create")

    async def send(
        self,
        identity: Identity,
        method: str,
        path: str,
        *,
        route: str,
        body: JSON | None = None,
        headers: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
        create: bool = False,
        send_body: bool = False,
    ) -> Exchange:
        """Send one request as `identity` and return its recorded exchange."""
        method = method.upper()
        self._check_safety(method, path, create)
        budget = DEFAULT_BUDGET if self.limits.budget is None else self.limits.budget
        if self.sent >= budget:
            raise BudgetExhausted(f"request budget of {budget} spent")
        if time.monotonic() >= self.deadline:
            raise TimeUp(f"time limit of {self.limits.max_time:g}s (--max-time) reached")
        if self._streak >= MAX_FAILED_STREAK:
            raise TargetDown(
                f"the target stopped answering: the last {self._streak} requests got no "
                f"answer (last: {self._last_failure})"
            )
        url = self.url_for(path, query)
        if not self.in_scope(url):
            raise ScopeError(self.redact(f"{url} is outside {self.base_url}"))
        if self._timeouts.get(route, 0) >= MAX_TIMEOUTS_PER_ROUTE:
            # A stalling operation would eat the whole run one deadline at a time.
            why = f"not sent: {route} timed out {MAX_TIMEOUTS_PER_ROUTE} times"
            return Exchange(
                seq=0,
                identity=identity.name,
                method=method,
                url=self.redact(url),
                route=route,
                error=why,
            )
        await self._pace()
        hdrs = {**identity.headers, **(headers or {})}
        content: bytes | None = None
        if body is not None or send_body:
            content = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        ex = Exchange(
            seq=len(self.log) + 1,
            identity=identity.name,
            method=method,
            url=self.redact(url),
            route=route,
            request_headers=self.redact.headers(hdrs, self._secret_headers),
            request_body=self.redact(content.decode()) if content is not None else None,
        )
        self.log.append(ex)
        await self._record(ex, url, hdrs, content)
        if ex.error or ex.truncated:
            self._streak += 1
            self._last_failure = ex.error or "an endless or oversized body"
        else:
            self._streak = 0
        return ex

    def extend_for_cleanup(self, requests: int) -> None:
        """More budget and time for the cleanup: it is never skipped for the probes' limits."""
        self.limits = replace(self.limits, budget=self.sent + requests)
        self.deadline = max(self.deadline, time.monotonic() + CLEANUP_SECONDS)
        self._streak = min(self._streak, MAX_FAILED_STREAK - 2)

    def timeout_now(self) -> float:
        """The per-request deadline, shortened so no request outlives the run's time limit."""
        return max(0.5, min(self.limits.timeout, self.deadline - time.monotonic()))

    async def _record(
        self, ex: Exchange, url: str, hdrs: dict[str, str], content: bytes | None
    ) -> None:
        """Run the exchange under the deadline; a timeout or transport error is recorded."""
        started = time.monotonic()
        for attempt in (1, 2):
            try:
                # Not asyncio.wait_for: on 3.11 it drops a cancellation (SIGTERM, Ctrl-C) that
                # lands as the answer arrives, and the interrupted run goes on to exit 1.
                async with asyncio.timeout(self.timeout_now()):
                    await self._exchange(ex, ex.method, url, hdrs, content)
            except (httpx.ReadError, httpx.RemoteProtocolError) as exc:
                # A server that dropped a kept-alive connection after an error (uvicorn does
                # after an unhandled 500) resets the next request sent on it: a safe method
                # goes once more on a fresh connection; a write may have landed, so never.
                if attempt == 1 and ex.method in SAFE_METHODS:
                    continue
                ex.error = f"{type(exc).__name__}: {self.redact(str(exc))[:200]}"
            except (TimeoutError, httpx.TimeoutException):
                ex.error = f"no complete answer within {self.timeout_now():g}s"
                self._timeouts[ex.route] = self._timeouts.get(ex.route, 0) + 1
                if self._timeouts[ex.route] == MAX_TIMEOUTS_PER_ROUTE:
                    self.warnings.append(
                        f"{ex.route} timed out {MAX_TIMEOUTS_PER_ROUTE} times; skipped"
                    )
            except httpx.HTTPError as exc:
                ex.error = f"{type(exc).__name__}: {self.redact(str(exc))[:200]}"
            break
        ex.elapsed_ms = int((time.monotonic() - started) * 1000)

    async def _exchange(
        self,
        ex: Exchange,
        method: str,
        url: str,
        hdrs: dict[str, str],
        content: bytes | None,
        *,
        cap: int | None = None,
        follow: bool = True,
    ) -> None:
        # Each identity is its own browser: cookies set for one must never ride with another.
        self._client.cookies.clear()
        req = self._client.build_request(method, url, headers=hdrs, content=content)
        planned = unquote(urlsplit(url).path)
        if unquote(req.url.raw_path.decode("ascii", "replace").split("?", 1)[0]) != planned:
            # The URL library rewrote the path (dot segments): never send what was not planned.
            raise SafetyError(f"{method} {self.redact(url)} would not reach the planned path")
        resp = await self._client.send(req, stream=True)
        try:
            ex.status = resp.status_code
            ex.response_headers = {
                k: self.redact(v)
                for k, v in resp.headers.items()
                if k.lower() in {"content-type", "location", "etag", "www-authenticate"}
            }
            chunks: list[bytes] = []
            size = 0
            cap = cap or self.limits.max_bytes
            async for chunk in resp.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > cap:
                    ex.truncated = True
                    break
            raw = b"".join(chunks)[:cap]
            ex.response_body = self.redact(raw.decode("utf-8", errors="replace"))
        finally:
            await resp.aclose()
        location = resp.headers.get("location")
        if 300 <= resp.status_code < 400 and location:
            target = urljoin(url, location)
            if follow and self._slash_only(method, resp.status_code, url, target):
                # FastAPI's 307 between `/things` and `/things/`: the same resource.
                ex.url = self.redact(target)
                await self._exchange(ex, method, target, hdrs, content, cap=cap, follow=False)
                return
            where = "outside the target" if not self.in_scope(target) else "on the target"
            self.warnings.append(
                f"{method} {ex.route}: redirect to {self.redact(target)} ({where}) not followed"
            )

    def _slash_only(self, method: str, status: int, url: str, target: str) -> bool:
        """Whether a redirect stays on the target and only adds or drops the trailing slash."""
        if not self.in_scope(target) or (method not in SAFE_METHODS and status not in (307, 308)):
            return False
        a, b = urlsplit(url), urlsplit(target)
        return a.path != b.path and a.path.rstrip("/") == b.path.rstrip("/") and a.query == b.query

    async def _pace(self) -> None:
        if self.limits.rate > 0:
            wait = self._last_start + 1.0 / self.limits.rate - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        self._last_start = time.monotonic()

    async def fetch_text(
        self, url: str, identity: Identity, cap: int
    ) -> tuple[int | None, str, str]:
        """GET an in-scope URL outside the probe log (the spec): (status, text, error)."""
        if not self.in_scope(url):
            raise ScopeError(self.redact(f"{url} is outside {self.base_url}"))
        ex = Exchange(seq=0, identity=identity.name, method="GET", url=url, route="GET spec")
        try:
            async with asyncio.timeout(self.limits.timeout):
                await self._exchange(ex, "GET", url, dict(identity.headers), None, cap=cap)
        except TimeoutError:
            return None, "", f"no complete answer within {self.limits.timeout:g}s"
        except httpx.HTTPError as exc:
            return None, "", f"{type(exc).__name__}: {self.redact(str(exc))[:200]}"
        if ex.truncated:
            return ex.status, "", f"larger than {cap} bytes"
        return ex.status, ex.response_body, ""

    async def aclose(self) -> None:
        """Close the underlying connection pool."""
        await self._client.aclose()
