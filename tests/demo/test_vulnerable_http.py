"""The vulnerable app works over HTTP, and each planted flaw reproduces for real."""

from __future__ import annotations

import httpx

from dynaguard.demo.stack import Stack


def _note(c: httpx.Client, title: str = "alice's secret") -> str:
    resp = c.post("/notes", json={"title": title, "body": "salary: 120k"})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["note_id"])


def test_bob_reads_alices_note(stack: Stack, connect) -> None:
    # Given alice's note on the vulnerable app
    app = stack.apps["vulnerable"]
    note = _note(connect(app, "alice"))
    # When bob asks for it by id
    resp = connect(app, "bob").get(f"/notes/{note}")
    # Then he gets it (BOLA read, DG103 / DG201)
    assert resp.status_code == 200
    assert resp.json()["title"] == "alice's secret"


def test_bob_deletes_alices_note(stack: Stack, connect) -> None:
    app = stack.apps["vulnerable"]
    alice = connect(app, "alice")
    note = _note(alice)
    assert connect(app, "bob").delete(f"/notes/{note}").status_code == 204
    assert alice.get(f"/notes/{note}").status_code == 404


def test_ids_are_sequential(stack: Stack, connect) -> None:
    alice = connect(stack.apps["vulnerable"], "alice")
    first, second = int(_note(alice)), int(_note(alice))
    assert second == first + 1


def test_anyone_pins_a_note_without_credentials(stack: Stack, connect) -> None:
    app = stack.apps["vulnerable"]
    note = _note(connect(app, "alice"))
    resp = connect(app).put(f"/notes/{note}/pin")
    assert resp.status_code == 200
    assert resp.json()["pinned"] is True


def test_role_is_mass_assignable(stack: Stack, connect) -> None:
    bob = connect(stack.apps["vulnerable"], "bob")
    assert bob.patch("/users/me", json={"role": "admin"}).status_code == 200
    assert bob.get("/users/me").json()["role"] == "admin"


def test_profile_leaks_internal_fields(stack: Stack, connect) -> None:
    profile = connect(stack.apps["vulnerable"], "alice").get("/users/me").json()
    assert "password_reset_token" in profile
    assert "internal_risk_score" in profile


def test_reserved_word_breaks_archive_and_leaks_the_error(stack: Stack, connect) -> None:
    alice = connect(stack.apps["vulnerable"], "alice")
    note = _note(alice)
    resp = alice.post(f"/notes/{note}/archive")
    assert resp.status_code == 500
    assert "ValidationException" in resp.json()["error"]
    assert "reserved keyword" in resp.json()["error"]


def test_existence_oracle(stack: Stack, connect) -> None:
    app = stack.apps["vulnerable"]
    project = connect(app, "alice").post("/projects", json={"name": "p"}).json()["project_id"]
    bob = connect(app, "bob")
    assert bob.get(f"/projects/{project}").status_code == 403
    assert bob.get(f"/projects/{'0' * 32}").status_code == 404


def test_body_id_wins_over_path_id(stack: Stack, connect) -> None:
    alice = connect(stack.apps["vulnerable"], "alice")
    first = alice.post("/projects", json={"name": "first"}).json()["project_id"]
    second = alice.post("/projects", json={"name": "second"}).json()["project_id"]
    resp = alice.put(f"/projects/{first}", json={"project_id": second, "name": "renamed"})
    assert resp.status_code == 200
    assert alice.get(f"/projects/{first}").json()["name"] == "first"
    assert alice.get(f"/projects/{second}").json()["name"] == "renamed"


def test_lost_update_from_stale_reads(stack: Stack, connect) -> None:
    # Two clients write from the same stale state: both succeed, no 409/412.
    alice = connect(stack.apps["vulnerable"], "alice")
    one = alice.put("/users/me", json={"display_name": "one", "email": "a@x.test"})
    two = alice.put("/users/me", json={"display_name": "two", "email": "a@x.test"})
    assert (one.status_code, two.status_code) == (200, 200)


def test_blank_identifier_is_a_500(stack: Stack, connect) -> None:
    alice = connect(stack.apps["vulnerable"], "alice")
    assert alice.get("/attachments/%20").status_code == 500


def test_transfer_fails_for_everyone(stack: Stack, connect) -> None:
    alice = connect(stack.apps["vulnerable"], "alice")
    project = alice.post("/projects", json={"name": "p"}).json()["project_id"]
    try:
        resp = alice.post(f"/projects/{project}/transfer", json={"new_owner": "bob"})
        status = resp.status_code
    except httpx.RemoteProtocolError:  # uvicorn may close the connection after a 500
        status = 500
    assert status == 500
