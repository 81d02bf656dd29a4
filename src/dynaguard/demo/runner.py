"""`dynaguard demo`: start everything, seed, scan and probe both apps, report, clean up."""

from __future__ import annotations

import contextlib
import json
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import httpx

from dynaguard.core.result import Result
from dynaguard.demo import engines, summary
from dynaguard.demo.progress import Progress
from dynaguard.demo.servers import StartError, bind
from dynaguard.demo.settings import USERS
from dynaguard.demo.stack import APPS, DemoError, RunningApp, Stack, running_stack

REQUIRED = ("fastapi", "uvicorn", "jwt", "moto", "boto3", "aioboto3", "werkzeug")


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoOptions:
    """What `dynaguard demo` was asked to do."""

    output: Path = Path("dynaguard-demo")
    keep_running: bool = False
    probe: bool = True


@dataclass
class DemoOutcome:
    """The results, which engines were skipped and why, and the report files written."""

    results: dict[tuple[str, str], Result] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    # Every listening endpoint the run opened (name -> port), so tests can see them released.
    ports: dict[str, int] = field(default_factory=dict)


def check_dependencies() -> None:
    """DemoError naming the first missing optional dependency, with the install command."""
    import importlib.util

    for name in REQUIRED:
        if importlib.util.find_spec(name) is None:
            raise DemoError(
                f"the demo needs {name}, which is not installed; "
                "install with: python3 -m pip install 'dynaguard[demo]'"
            )


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C, so `finally` blocks stop every server we started."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def seed(app: RunningApp) -> dict[str, str]:
    """Objects for the probes and for trying it out: alice's project and note, bob's note."""
    ids: dict[str, str] = {}
    with httpx.Client(base_url=app.url, timeout=10, trust_env=False) as client:
        for user, path, body in (
            ("alice", "/projects", {"name": "Launch plan", "description": "Q3 launch"}),
            ("alice", "/notes", {"title": "Alice's private note", "body": "salary: 120k"}),
            ("bob", "/notes", {"title": "Bob's note", "body": "hello"}),
        ):
            resp = client.post(path, json=body, headers=auth(app, user))
            if resp.status_code != 201:
                raise DemoError(f"seeding {app.name} {path} failed: HTTP {resp.status_code}")
            data = resp.json()
            ids[f"{user}{path}"] = str(data.get("note_id") or data.get("project_id"))
    return ids


def auth(app: RunningApp, user: str) -> dict[str, str]:
    """The Authorization header of a demo user on an app."""
    return {"Authorization": f"Bearer {app.tokens[user]}"}


def analyse(stack: Stack, options: DemoOptions, progress: Progress) -> DemoOutcome:
    """Scan both apps' sources and probe both running apps; skip what is not installed."""
    outcome = DemoOutcome()
    for app in APPS:
        what = f"scanning the {app} app's source"
        _engine(outcome, progress, (app, "static"), what, partial(engines.scan_app, app))
    if not options.probe:
        outcome.skipped["probe"] = "--no-probe"
        return outcome
    for app in APPS:
        running = stack.apps[app]
        what = f"probing the {app} app (--active) at {running.url}"
        _engine(outcome, progress, (app, "probe"), what, partial(engines.probe_app, running))
    return outcome


def _engine(
    outcome: DemoOutcome,
    progress: Progress,
    key: tuple[str, str],
    what: str,
    call: Callable[[], Result],
) -> None:
    """Run one engine on one app; record it as skipped (not installed) or failed, and go on."""
    app, engine = key
    if engine in outcome.skipped:
        return
    started = time.monotonic()
    progress.line(f"• {what} …", "cyan")
    try:
        result = call()
    except engines.Unavailable as exc:
        outcome.skipped[engine] = str(exc)
        progress.line(f"  skipped: {exc}", "yellow")
        return
    except Exception as exc:  # an engine's bug must not leave the servers running
        outcome.failed[f"{app}.{engine}"] = f"{type(exc).__name__}: {exc}"
        progress.line(f"  failed: {type(exc).__name__}: {exc}", "red")
        return
    outcome.results[key] = result
    counts = ", ".join(f"{n} {s}" for s, n in result.counts.items() if n) or "no findings"
    progress.line(f"  {counts} ({time.monotonic() - started:.1f} s)", "dim")


def run(options: DemoOptions, progress: Progress) -> DemoOutcome:
    """The whole demo; every server started is stopped before this returns or raises."""
    check_dependencies()
    started = time.monotonic()
    with sigterm_as_interrupt(), contextlib.ExitStack() as servers:
        with progress.step("starting the embedded DynamoDB and both apps on 127.0.0.1"):
            stack = servers.enter_context(running_stack(APPS))
        ports = {
            "dynamodb": stack.dynamodb.port,
            **{n: a.server.port for n, a in stack.apps.items()},
        }
        with progress.step("seeding users, projects and notes"):
            seeded = {app: seed(stack.apps[app]) for app in APPS}
        outcome = analyse(stack, options, progress)
        outcome.ports = ports
        with progress.step(f"writing reports to {options.output}"):
            outcome.written = engines.write_reports(outcome.results, options.output)
        show_summary(outcome, progress)
        progress.line(f"demo finished in {time.monotonic() - started:.1f} s", "bold")
        if options.keep_running:
            serve_forever(stack, seeded, progress)
        with progress.step("stopping the apps and the embedded DynamoDB"):
            servers.close()
    return outcome


def show_summary(outcome: DemoOutcome, progress: Progress) -> None:
    """Print the side-by-side summary and the report files."""
    if progress.color:
        from rich.console import Console

        console = Console(file=progress.out)
        for engine in summary.ENGINES:
            console.print(summary.rich_table(outcome.results, outcome.skipped, engine))
    else:
        progress.say(summary.plain(outcome.results, outcome.skipped).rstrip("\n"))
    for what, error in sorted(outcome.failed.items()):
        progress.say(f"failed: {what}: {error}")
    for path in outcome.written:
        progress.say(f"report: {path}")


def try_it_lines(stack: Stack, seeded: dict[str, dict[str, str]]) -> list[str]:
    """URLs, tokens and curl lines to try both apps by hand."""
    lines: list[str] = []
    for name, app in stack.apps.items():
        note = seeded.get(name, {}).get("alice/notes", "1")
        bob = f"-H 'Authorization: Bearer {app.tokens['bob']}'"
        login = json.dumps({"username": "alice", "password": USERS["alice"]})
        lines += [
            f"{name}: {app.url}  (OpenAPI: {app.url}/docs)",
            *(f"  token {user}: {token}" for user, token in app.tokens.items()),
            "  log in:",
            f"    curl -s -H 'Content-Type: application/json' -d '{login}' {app.url}/auth/login",
            "  bob reads alice's note:",
            f"    curl -s {bob} {app.url}/notes/{note}",
            "  bob makes himself admin:",
            f"    curl -s -X PATCH {bob} -H 'Content-Type: application/json' "
            f"""-d '{{"role": "admin"}}' {app.url}/users/me""",
        ]
    lines.append(f"DynamoDB: {stack.dynamodb.endpoint_url} (AWS_ENDPOINT_URL_DYNAMODB)")
    return lines


def serve_forever(stack: Stack, seeded: dict[str, dict[str, str]], progress: Progress) -> None:
    """Print how to try the apps, then wait for Ctrl-C (or SIGTERM)."""
    for line in try_it_lines(stack, seeded):
        progress.say(line)
    progress.line("running; press Ctrl-C to stop", "bold")
    while True:
        time.sleep(0.5)


def serve(app: str, port: int, progress: Progress) -> None:
    """`dynaguard demo serve APP`: one app and its embedded DynamoDB, until Ctrl-C."""
    check_dependencies()
    if port:
        # A taken port is the one line the user sees, before any progress or server start.
        try:
            bind(port).close()
        except StartError as exc:
            raise DemoError(str(exc)) from None
    with sigterm_as_interrupt(), contextlib.ExitStack() as servers:
        with progress.step(f"starting the embedded DynamoDB and the {app} app"):
            stack = servers.enter_context(running_stack((app,), ports={app: port}))
            seeded = {app: seed(stack.apps[app])}
        serve_forever(stack, seeded, progress)
