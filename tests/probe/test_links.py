"""Given ids that only a producer -> consumer link resolves, when probing, then the plant is found.

One app's ids resolve only through the spec's OpenAPI `links`, the other's only through a
matching `format`; each planted read (DG201) is found on its exact route, the twin is clean,
and every object the run created is removed (the id was learned, so the delete could aim).
"""

from __future__ import annotations

import pytest

from dynaguard.demo.embedded import EmbeddedDynamoDB
from dynaguard.probe.spec import build
from tests.probe.zoo.apps import linked
from tests.probe.zoo.conftest import probe_zoo

CASES = [
    ("tickets", None, set()),
    ("tickets", "bola_read", {("DG201", "GET /tickets/{ticket_key}")}),
    ("contacts", None, set()),
    ("contacts", "bola_read", {("DG201", "GET /contacts/{address}")}),
]


@pytest.mark.parametrize(("app", "bug", "expected"), CASES)
async def test_ids_resolved_through_links(
    dynamodb_server: EmbeddedDynamoDB, app: str, bug: str | None, expected: set[tuple[str, str]]
) -> None:
    zoo = getattr(linked, app)(bug)
    run = await probe_zoo(zoo, admin=False)
    assert run.pairs == expected
    assert run.left_behind == set()
    assert run.result.errors == ()
    # The link was used, not only parsed: a read with an id it gave succeeded.
    confirmed = {
        "tickets": {"/tickets/{ticket_key}": ["link $response.body#/ref"]},
        "contacts": {"/contacts/{address}": ["format of contact_email"]},
    }
    assert run.result.stats["links_confirmed"] == confirmed[app]


def test_links_name_their_target_by_operation_id_or_ref() -> None:
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {
                "post": {
                    "responses": {
                        "201": {
                            "description": "",
                            "links": {
                                "byId": {
                                    "operationId": "getB",
                                    "parameters": {"k": "$response.body#/x"},
                                },
                                "byRef": {
                                    "operationRef": "#/paths/~1b~1{k}/get",
                                    "parameters": {"path.k": "$response.body#/y/0"},
                                },
                                "dangling": {"operationId": "nope", "parameters": {"k": "1"}},
                            },
                        }
                    }
                }
            },
            "/b/{k}": {"get": {"operationId": "getB", "responses": {"200": {"description": ""}}}},
        },
    }
    post = next(op for op in build(doc).operations if op.method == "POST")
    assert [(link.target, link.parameters) for link in post.links] == [
        ("GET /b/{k}", (("k", "$response.body#/x"),)),
        ("GET /b/{k}", (("k", "$response.body#/y/0"),)),
    ]
