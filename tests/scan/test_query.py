"""The query API answers rules' questions about the issue's name tests (by behaviour)."""

from __future__ import annotations

import ast
from pathlib import Path

import dynaguard.scan.rules  # noqa: F401  (registers the rules meta() names)
from dynaguard.core.config import Config
from dynaguard.scan import query as q
from dynaguard.scan.index import Project

NAMES = Path(__file__).parent / "fixtures" / "auth-by-behaviour" / "names.py"


def _project() -> q.Project:
    p = Project(Config())
    p.add_module("names", "names.py", ast.parse(NAMES.read_text(encoding="utf-8")))
    p.link()
    return p


def test_authentication_and_privilege_by_what_dependencies_do() -> None:
    p = _project()
    by_fn = {r.function.split(":")[1]: r for r in q.routes(p)}
    # `verify` decodes a JWT: authentication; `get_author_repo` looks nothing up by a
    # credential: none; `deps` compares the caller's role and raises: privileged;
    # `get_scope_cache` compares nothing: not privileged
    got = {name: (q.authenticated(r), q.privileged(r)) for name, r in by_fn.items()}
    assert got == {
        "put_note": (True, None),
        "delete_author_note": (False, None),
        "read_note": (True, None),
        "admin_read_note": (True, "deps"),
    }
    assert q.app_authenticates(p)
    assert [x.name for x in q.principal_params(by_fn["put_note"])] == ["user"]
    assert q.principal_params(by_fn["delete_author_note"]) == []


def test_operations_sites_and_values() -> None:
    p = _project()
    put = next(c for c in q.operations(p) if c.operation == "put_item")
    (site,) = q.sites(p, put)
    assert site.route is not None and site.route.label == "PUT /notes/{note_id}"
    item = q.item(p, put, site)
    assert item is not None
    assert {s.dotted for s in q.request_sources(item)} == {"note_id", "text"}
    owner = item.field("owner")
    assert owner is not None and q.Origin.PRINCIPAL in owner.origins()
    assert q.condition(p, put, site) is None
    assert q.function_of(p, put) is not None
    finding = q.finding(q.meta("DG101"), put, site.route, "x")
    assert (finding.rule, finding.line, finding.route) == ("DG101", put.line, site.route.label)
