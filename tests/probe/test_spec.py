"""Spec loading, resources, bodies, redaction: the prober's parts on their own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dynaguard.probe import ProbeError
from dynaguard.probe.bodies import body_for, valid
from dynaguard.probe.evidence import Exchange, Redactor
from dynaguard.probe.heuristics import is_destructive_path, leaks
from dynaguard.probe.resources import find_id, group
from dynaguard.probe.spec import build, parse_text, read_file
from tests.probe.apps.notes_app import make_app

SWAGGER_YAML = """
swagger: "2.0"
info: {title: pets, version: "1"}
host: api.example.com
basePath: /v1
securityDefinitions: {key: {type: apiKey, in: header, name: X-Key}}
security: [{key: []}]
definitions:
  Pet:
    type: object
    required: [name]
    properties:
      name: {type: string, maxLength: 10}
      tag: {type: string, pattern: "^[a-z]{3}$"}
      parent: {$ref: "#/definitions/Pet"}
paths:
  /pets:
    post:
      parameters: [{in: body, name: body, schema: {$ref: "#/definitions/Pet"}}]
      responses: {"201": {description: ok, schema: {$ref: "#/definitions/Pet"}}}
  /pets/{petId}:
    parameters: [{name: petId, in: path, required: true, type: string}]
    get:
      security: []
      responses: {"200": {description: ok}}
    delete:
      responses: {"204": {description: gone}}
"""


def test_swagger2_yaml_with_recursive_ref() -> None:
    spec = build(parse_text(SWAGGER_YAML, "pets.yaml"))
    assert spec.version == "2.0"
    # The basePath is part of every route (whatever host the spec names).
    assert spec.servers == ["https://api.example.com"]
    routes = {o.route: o for o in spec.operations}
    assert set(routes) == {"POST /v1/pets", "GET /v1/pets/{petId}", "DELETE /v1/pets/{petId}"}
    create = routes["POST /v1/pets"]
    assert create.secured and not routes["GET /v1/pets/{petId}"].secured
    assert create.body_schema is not None and create.body_schema["required"] == ["name"]
    assert any("recursive $ref" in n for n in spec.notes)
    [res] = group(spec.operations)
    assert (res.collection, res.item, res.id_param) == ("/v1/pets", "/v1/pets/{petId}", "petId")


def test_bodies_are_valid_deterministic_and_marked() -> None:
    spec = build(parse_text(SWAGGER_YAML, "pets.yaml"))
    schema = next(o for o in spec.operations if o.method == "POST").body_schema
    assert schema is not None
    first, second = body_for(schema, "dgp-a-1"), body_for(schema, "dgp-a-1")
    assert first == second and valid(schema, first)
    assert isinstance(first, dict) and len(first["name"]) <= 10


def test_openapi31_type_lists_examples_first(tmp_path: Path) -> None:
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["n", "kind"],
                                    "properties": {
                                        "n": {"type": ["integer", "null"], "minimum": 5},
                                        "kind": {"type": "string", "enum": ["a", "b"]},
                                        "when": {"type": "string", "format": "date-time"},
                                        "size": {"type": "integer", "example": 42},
                                    },
                                }
                            }
                        }
                    },
                    "responses": {"201": {"description": "ok"}},
                }
            }
        },
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(doc))
    op = build(read_file(path)).operations[0]
    assert op.body_schema is not None
    body = body_for(op.body_schema, "m")
    assert body == {"n": 6, "kind": "a", "when": "2024-01-02T03:04:05Z", "size": 42}


def test_fastapi_spec_groups_items_actions_and_singletons(dynamodb_server: object) -> None:
    app = make_app("unused-table", region_name="us-east-1", endpoint_url="http://127.0.0.1:9")

    @app.put("/notes/{note_id}/pin")
    def pin(note_id: str) -> None: ...

    @app.get("/users/me")
    def me() -> dict[str, str]: ...

    @app.patch("/users/me")
    def patch_me() -> dict[str, str]: ...

    resources = {r.collection: r for r in group(build(app.openapi()).operations)}
    notes = resources["/notes"]
    assert notes.item == "/notes/{note_id}" and notes.create and notes.read and notes.delete
    assert [a.route for a in notes.actions] == ["PUT /notes/{note_id}/pin"]
    assert resources["/users/me"].singleton
    assert "/admin/reset" not in resources


def test_ids_from_bodies_and_location() -> None:
    [res] = group(build(parse_text(SWAGGER_YAML, "x")).operations)
    assert find_id(res, {"petId": 7, "name": "x"}) == "7"
    assert find_id(res, {"id": "abc"}) == "abc"
    assert find_id(res, {"name": "x"}, "/pets/p-9") == "p-9"
    assert find_id(res, {"name": "x"}) is None


@pytest.mark.parametrize(
    "path", ["/admin/reset", "/db/purge", "/reset-all", "/users/logout", "/api/v1/drop_table"]
)
def test_destructive_paths(path: str) -> None:
    assert is_destructive_path(path)


@pytest.mark.parametrize("path", ["/notes", "/notes/{id}", "/presets", "/users/me", "/cleared"])
def test_ordinary_paths(path: str) -> None:
    assert not is_destructive_path(path)


def test_leak_patterns() -> None:
    text = (
        "An error occurred (ValidationException) when calling the UpdateItem operation: "
        "arn:aws:dynamodb:us-east-1:123456789012:table/notes"
    )
    kinds = {k for k, _ in leaks(text)}
    assert {"botocore ClientError", "DynamoDB error code", "AWS ARN"} <= kinds
    assert leaks('{"detail": "not found"}') == []


def test_redaction_in_headers_bodies_and_curl() -> None:
    redact = Redactor(["Bearer s3cr3t-token", "s3cr3t-token"])
    ex = Exchange(
        seq=1,
        identity="alice",
        method="GET",
        url="http://h/x",
        route="GET /x",
        request_headers=redact.headers({"Authorization": "Bearer s3cr3t-token"}, {"authorization"}),
        response_body=redact('{"echo": "s3cr3t-token"}'),
    )
    text = json.dumps(ex.to_json())
    assert "s3cr3t" not in text and "[redacted]" in ex.curl()


def test_broken_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ProbeError, match=r"spec .*missing"):
        read_file(tmp_path / "missing.json")
    (tmp_path / "bin").write_bytes(b"\x00\x01\x02: [")
    with pytest.raises(ProbeError):
        read_file(tmp_path / "bin")


@pytest.mark.parametrize(
    ("name", "sensitive"),
    [
        ("password_hash", True),
        ("share_token", True),
        ("_audit", True),
        ("apiKey", True),
        ("internal_risk_score", True),
        ("next_token", False),
        ("title", False),
        ("hashtag", False),
        ("owner", False),
    ],
)
def test_sensitive_property_names(name: str, sensitive: bool) -> None:
    from dynaguard.probe.heuristics import is_sensitive

    assert is_sensitive(name) is sensitive
