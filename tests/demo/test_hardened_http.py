"""The hardened app over HTTP: login, create, read, ETag updates, 404 for others' objects."""

from __future__ import annotations

import httpx

from dynaguard.demo.stack import Stack


def _note(c: httpx.Client) -> tuple[str, str]:
    resp = c.post("/notes", json={"title": "alice's secret", "body": "salary: 120k"})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["note_id"]), resp.headers["ETag"]


def test_login_rejects_a_wrong_password(stack: Stack, connect) -> None:
    anon = connect(stack.apps["hardened"])
    resp = anon.post("/auth/login", json={"username": "alice", "password": "nope"})
    assert resp.status_code == 401


def test_create_read_update_with_etag(stack: Stack, connect) -> None:
    # Given alice's new note and its ETag
    alice = connect(stack.apps["hardened"], "alice")
    note, etag = _note(alice)
    assert len(note) == 32 and etag == '"v1"'
    assert alice.get(f"/notes/{note}").json()["title"] == "alice's secret"
    # When she updates it with If-Match: the version moves on
    body = {"title": "edited", "body": ""}
    resp = alice.put(f"/notes/{note}", json=body, headers={"If-Match": etag})
    assert resp.status_code == 200 and resp.headers["ETag"] == '"v2"'
    # Then a second update from the stale ETag is refused, and one without If-Match too
    assert alice.put(f"/notes/{note}", json=body, headers={"If-Match": etag}).status_code == 412
    assert alice.put(f"/notes/{note}", json=body).status_code == 428


def test_others_objects_are_404(stack: Stack, connect) -> None:
    app = stack.apps["hardened"]
    note, _ = _note(connect(app, "alice"))
    bob = connect(app, "bob")
    assert bob.get(f"/notes/{note}").status_code == 404
    assert bob.delete(f"/notes/{note}").status_code == 404
    assert bob.put(f"/notes/{note}/pin").status_code == 404
    assert bob.get(f"/notes/{'0' * 32}").status_code == 404
    assert connect(app, "alice").get(f"/notes/{note}").status_code == 200


def test_no_credentials_no_write(stack: Stack, connect) -> None:
    app = stack.apps["hardened"]
    note, _ = _note(connect(app, "alice"))
    assert connect(app).put(f"/notes/{note}/pin").status_code == 401


def test_role_cannot_be_set(stack: Stack, connect) -> None:
    bob = connect(stack.apps["hardened"], "bob")
    etag = bob.get("/users/me").headers["ETag"]
    resp = bob.patch("/users/me", json={"role": "admin"}, headers={"If-Match": etag})
    assert resp.status_code == 422
    profile = bob.get("/users/me").json()
    assert profile["role"] == "member"
    assert "password_reset_token" not in profile and "internal_risk_score" not in profile


def test_reserved_word_update_works(stack: Stack, connect) -> None:
    alice = connect(stack.apps["hardened"], "alice")
    note, _ = _note(alice)
    assert alice.post(f"/notes/{note}/archive").json()["status"] == "archived"
    # the allowed prior state is in the condition: archiving twice is a conflict (DG119)
    assert alice.post(f"/notes/{note}/archive").status_code == 409


def test_body_id_is_rejected(stack: Stack, connect) -> None:
    alice = connect(stack.apps["hardened"], "alice")
    resp = alice.post("/projects", json={"name": "p"})
    project, etag = resp.json()["project_id"], resp.headers["ETag"]
    body = {"project_id": "0" * 32, "name": "x"}
    resp = alice.put(f"/projects/{project}", json=body, headers={"If-Match": etag})
    assert resp.status_code == 422


def test_identifiers_are_constrained(stack: Stack, connect) -> None:
    alice = connect(stack.apps["hardened"], "alice")
    assert alice.get(f"/attachments/{'a' * 3000}").status_code == 422
    assert alice.get("/attachments/%20").status_code == 422


def test_attachment_and_counter_commit_together(stack: Stack, connect) -> None:
    alice = connect(stack.apps["hardened"], "alice")
    note, _ = _note(alice)
    resp = alice.post(f"/notes/{note}/attachments", json={"filename": "a.pdf", "size": 3})
    assert resp.status_code == 201, resp.text
    assert alice.get(f"/notes/{note}").json()["attachment_count"] == 1
    assert [a["filename"] for a in alice.get(f"/notes/{note}/attachments").json()] == ["a.pdf"]


def test_transfer_moves_ownership(stack: Stack, connect) -> None:
    app = stack.apps["hardened"]
    alice, bob = connect(app, "alice"), connect(app, "bob")
    project = alice.post("/projects", json={"name": "p"}).json()["project_id"]
    assert alice.post(f"/projects/{project}/transfer", json={"new_owner": "bob"}).status_code == 200
    assert alice.get(f"/projects/{project}").status_code == 404
    assert bob.get(f"/projects/{project}").status_code == 200


def test_openapi_lists_the_same_operations(stack: Stack, connect) -> None:
    def ops(name: str) -> set[tuple[str, str]]:
        spec = connect(stack.apps[name]).get("/openapi.json").json()
        return {(m.upper(), p) for p, item in spec["paths"].items() for m in item}

    assert ops("vulnerable") == ops("hardened")
