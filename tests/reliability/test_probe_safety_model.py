"""Given targets that a careless prober would harm, the run never breaks or leaves anything.

Small FastAPI apps in memory (their storage is a dict the test reads directly) and the
zoo's apps on the embedded DynamoDB; each run goes in-process through httpx's ASGI
transport, and each app's own request log is the evidence.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, Header, HTTPException, Request, Response
from pydantic import BaseModel

from dynaguard.demo.embedded import EmbeddedDynamoDB
from dynaguard.probe import Limits, ProbeOptions, asgi_transport, parse_identity, run_async
from tests.probe.zoo.conftest import probe_zoo
from tests.probe.zoo.manifest import STYLES

TOKENS = {"Bearer t-alice": "alice", "Bearer t-bob": "bob"}
IDENTS = tuple(parse_identity(f"{u}=Authorization: Bearer t-{u}") for u in ("alice", "bob"))


def _app() -> tuple[FastAPI, list[tuple[str, str]]]:
    app = FastAPI()
    log: list[tuple[str, str]] = []

    @app.middleware("http")
    async def record(request: Request, call_next: Any) -> Any:
        log.append((request.method, request.url.path))
        return await call_next(request)

    return app, log


def user(authorization: Annotated[str, Header()] = "") -> str:
    if authorization not in TOKENS:
        raise HTTPException(401)
    return TOKENS[authorization]


Me = Annotated[str, Depends(user)]


class Profile(BaseModel):
    nickname: str = ""
    role: str = "user"


def fragile_profiles() -> tuple[FastAPI, dict[str, dict[str, str]], list[tuple[str, str]]]:
    """Profiles whose `role` is stored as sent; bob's grandfathered role breaks anyone else.

    The value the prober may try is one the API shows (bob's `legacy`), yet stored on
    alice it makes every later read of her profile a 500: the account is broken.
    """
    app, log = _app()
    store = {
        "alice": {"nickname": "alice", "role": "user"},
        "bob": {"nickname": "b", "role": "legacy"},
    }

    @app.get("/users/me")
    def read_me(me: Me) -> dict[str, str]:
        if store[me]["role"] not in ("user", "admin") and me != "bob":
            raise HTTPException(500, "cannot load profile")
        return store[me]

    @app.patch("/users/me")
    def patch_me(body: Profile, me: Me) -> dict[str, str]:
        store[me] = {**store[me], **body.model_dump(exclude_unset=True)}
        return store[me]

    return app, store, log


async def test_a_write_that_breaks_an_identity_stops_writes_restores_and_fails() -> None:
    # Given an app whose profile becomes unreadable (500) after an unknown `plan` is stored
    app, store, log = fragile_profiles()
    before = {u: dict(p) for u, p in store.items()}
    # When probing it with --active
    result = await run_async(
        ProbeOptions(
            target="http://testserver",
            identities=IDENTS,
            active=True,
            transport=asgi_transport(app),
            limits=Limits(budget=300, timeout=5),
        )
    )
    # Then the run names the write that broke the identity, fails, and is never graded A
    errors = [e.message for e in result.errors]
    assert any("stopped working after PATCH" in m for m in errors), errors
    assert result.stats["run_failed"] is True and result.grade != "A"
    # And the profiles are as they were, with no write after the breaking one but restores
    assert store == before
    first_break = next(i for i, (m, _) in enumerate(log) if m == "PATCH")
    later = [e for e in log[first_break + 1 :] if e[0] != "GET"]
    assert all(e == ("PATCH", "/users/me") for e in later), later
    assert len(later) <= 2  # the restore of each profile that changed


class Thing(BaseModel):
    name: str
    size: int = 1


def no_id_answers(*, listed: bool) -> tuple[FastAPI, dict[str, dict[str, Any]]]:
    """Creates answer {"status": "ok"}: the id is the name (natural key) or only in a list."""
    app, _ = _app()
    store: dict[str, dict[str, Any]] = {}
    counter = itertools.count(1)

    @app.post("/things", status_code=201)
    def create(body: Thing, me: Me) -> dict[str, str]:
        key = body.name if not listed else f"t{next(counter)}"
        store[key] = {"key": key, "owner": me, **body.model_dump()}
        return {"status": "ok"}

    @app.get("/things")
    def listing(me: Me) -> dict[str, Any]:
        return {"results": [t for t in store.values() if t["owner"] == me], "next": None}

    @app.get("/things/{key}")
    def read(key: str, me: Me) -> dict[str, Any]:
        if key not in store or store[key]["owner"] != me:
            raise HTTPException(404)
        return store[key]

    @app.delete("/things/{key}", status_code=204)
    def delete(key: str, me: Me) -> Response:
        read(key, me)
        del store[key]
        return Response(status_code=204)

    return app, store


@pytest.mark.parametrize("listed", [False, True], ids=["natural-key", "list-only"])
async def test_creates_that_answer_no_id_leave_nothing_behind(listed: bool) -> None:
    # Given creates that answer no id (the key is the name sent, or appears only in a list)
    app, store = no_id_answers(listed=listed)
    result = await run_async(
        ProbeOptions(
            target="http://testserver",
            identities=IDENTS,
            active=True,
            transport=asgi_transport(app),
            limits=Limits(budget=400, timeout=5),
        )
    )
    # Then every object it created was found and removed, and the run is clean
    assert store == {}
    created = result.stats["objects_created"]
    assert isinstance(created, int) and created > 0
    assert created == result.stats["objects_deleted"]
    assert [e.message for e in result.errors] == []


async def test_only_an_admin_can_delete_and_none_is_given(
    dynamodb_server: EmbeddedDynamoDB,
) -> None:
    # Given the licence registry, where only an admin may delete, probed without an admin
    zoo = STYLES["licenses"].make_app(None)
    run = await probe_zoo(zoo, admin=False)
    # Then it created one licence (the trial), created no more, and names it as left behind
    assert len(run.left_behind) == 1, run.left_behind
    [left] = run.left_behind
    title = left.removeprefix("licence:")
    errors = [e.message for e in run.result.errors]
    assert any(title in m and "left in place" in m for m in errors), errors
    assert run.result.stats["run_failed"] is True
    assert any("creates no more there" in w.message for w in run.result.warnings)
