"""Given an API that requires If-Match on every update and delete (RFC 6585 428), as apps
built with the guard's `require_if_match` do, the prober sends the ETag a read gives.

Before, its deletes got 428, so a clean API ended "incomplete" with its objects left behind.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Any

import pytest
from fastapi import FastAPI, Header, HTTPException, Response
from pydantic import BaseModel

from dynaguard.probe import Limits, ProbeOptions, asgi_transport, run_async
from tests.reliability.test_probe_safety_model import IDENTS, Me


class Doc(BaseModel):
    title: str


def conditional_docs(*, bola_delete: bool) -> tuple[FastAPI, dict[str, dict[str, Any]]]:
    """Owned documents; writes need `If-Match: "v<version>"` (428 without, 412 if stale)."""
    app = FastAPI()
    store: dict[str, dict[str, Any]] = {}
    ids = (f"d-{n:04x}{n * 7919 % 65521:04x}" for n in itertools.count(1))

    def owned(doc_id: str, me: str, *, any_owner: bool = False) -> dict[str, Any]:
        doc = store.get(doc_id)
        if doc is None or (doc["owner"] != me and not any_owner):
            raise HTTPException(404)
        return doc

    def precondition(doc: dict[str, Any], if_match: str | None) -> None:
        if if_match is None:
            raise HTTPException(428, "If-Match required")
        if if_match != f'"v{doc["version"]}"':
            raise HTTPException(412, "stale")

    @app.post("/docs", status_code=201)
    def create(body: Doc, me: Me) -> dict[str, Any]:
        doc = {"id": next(ids), "owner": me, "version": 1, "title": body.title}
        store[doc["id"]] = doc
        return doc

    @app.get("/docs")
    def listing(me: Me) -> list[dict[str, Any]]:
        return [d for d in store.values() if d["owner"] == me]

    @app.get("/docs/{doc_id}")
    def read(doc_id: str, me: Me, response: Response) -> dict[str, Any]:
        doc = owned(doc_id, me, any_owner=bola_delete)
        response.headers["ETag"] = f'"v{doc["version"]}"'
        return doc

    @app.put("/docs/{doc_id}")
    def update(
        doc_id: str, body: Doc, me: Me, if_match: Annotated[str | None, Header()] = None
    ) -> dict[str, Any]:
        doc = owned(doc_id, me)
        precondition(doc, if_match)
        doc.update(title=body.title, version=doc["version"] + 1)
        return doc

    @app.delete("/docs/{doc_id}", status_code=204)
    def delete(doc_id: str, me: Me, if_match: Annotated[str | None, Header()] = None) -> Response:
        doc = owned(doc_id, me, any_owner=bola_delete)
        precondition(doc, if_match)
        del store[doc_id]
        return Response(status_code=204)

    return app, store


@pytest.mark.parametrize(
    ("bola_delete", "expected"),
    [
        (False, set()),
        (True, {("DG201", "GET /docs/{doc_id}"), ("DG202", "DELETE /docs/{doc_id}")}),
    ],
    ids=["clean", "bola-delete"],
)
async def test_conditional_writes_are_sent_with_the_etag(
    bola_delete: bool, expected: set[tuple[str, str]]
) -> None:
    # Given an API whose updates and deletes answer 428 without If-Match
    app, store = conditional_docs(bola_delete=bola_delete)
    # When probing it with --active
    result = await run_async(
        ProbeOptions(
            target="http://testserver",
            identities=IDENTS,
            active=True,
            transport=asgi_transport(app),
            limits=Limits(budget=400, timeout=5),
        )
    )
    # Then it finds exactly the planted flaw, completes, and removes everything it created
    assert {(f.rule, f.route) for f in result.findings} == expected
    assert [e.message for e in result.errors] == []
    assert result.stats["complete"] is True
    assert store == {}
