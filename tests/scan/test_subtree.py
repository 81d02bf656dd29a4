"""Scanning part of a project, and positions on non-ASCII lines.

A sub-tree of a package still imports its principal from outside the scanned paths; the
scan must see the same authenticated routes as a scan of the whole app.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from dynaguard.core.config import Config
from dynaguard.core.findings import Finding
from dynaguard.scan import scan
from dynaguard.scan.report import char_column


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


# The rules these tests are about (engine mechanics); later rules have their own fixtures.
ENGINE_RULES = Config(select=("DG101", "DG102", "DG103", "DG104", "DG105", "DG106", "DG108"))


def only(findings: tuple[Finding, ...], rule: str) -> Finding:
    hits = [f for f in findings if f.rule == rule]
    assert len(hits) == 1, [(f.rule, f.line) for f in findings]
    return hits[0]


# -- columns count characters, not UTF-8 bytes -------------------------------------------

NON_ASCII = """
import boto3
from fastapi import FastAPI, HTTPException

app = FastAPI()
table = boto3.resource("dynamodb").Table("items")


@app.delete("/items/{item_id}")
def remove(item_id: str):
    é = "ééééé"; table.delete_item(Key={"id": item_id})
    return é


@app.get("/items/{item_id}")
def read(item_id: str):
    try:
        return table.get_item(Key={"id": item_id})
    except Exception as exc:
        ü = "😀"; raise HTTPException(500, detail=str(exc))
"""


def test_column_counts_characters_on_a_non_ascii_line(tmp_path: Path) -> None:
    # Given a call after 5 two-byte characters on its line (and an emoji, 4 bytes, before
    # a leak statement)
    root = write(tmp_path, {"app.py": NON_ASCII})
    # When it is scanned
    result = scan([root], root=root)
    assert [e.to_json() for e in result.errors] == []
    # Then the columns are characters, 1-based, as SARIF's unicodeCodePoints and the text
    # report mean them: `table` is the 18th character (the 24th byte)
    dg101 = only(result.findings, "DG101")
    assert (dg101.line, dg101.column) == (10, 18)
    line = (root / "app.py").read_text(encoding="utf-8").splitlines()[9]
    assert line[dg101.column - 1 :].startswith("table.delete_item(")
    # the same holds for rules that place their own findings (DG112: the raise statement)
    dg112 = only(result.findings, "DG112")
    assert (dg112.line, dg112.column) == (19, 18)  # the 22nd byte
    line = (root / "app.py").read_text(encoding="utf-8").splitlines()[18]
    assert line[dg112.column - 1 :].startswith("raise HTTPException(")
    assert json.loads(json.dumps(dg101.to_json()))["column"] == 18


def test_column_on_an_ascii_line_is_unchanged(tmp_path: Path) -> None:
    root = write(tmp_path, {"app.py": NON_ASCII.replace('é = "ééééé"', 'e = "eeeee"')})
    found = only(scan([root], root=root).findings, "DG101")
    assert (found.line, found.column) == (10, 18)


def test_char_column_conversion() -> None:
    assert char_column("    é = 'x'; t()", 14) == 13
    assert char_column("abc", 2) == 2
    assert char_column("😀x", 4) == 1
    assert char_column("", 0) == 0


# -- the principal imported from outside the scanned paths --------------------------------

PACKAGE = {
    "app/__init__.py": "",
    "app/db.py": """
        import boto3

        notes = boto3.resource("dynamodb").Table("notes")
        """,
    # the alias's name says nothing: only reading this module shows it authenticates
    "app/security.py": """
        from typing import Annotated

        import boto3, jwt
        from fastapi import Depends
        from fastapi.security import HTTPBearer

        bearer = HTTPBearer()
        logins = boto3.resource("dynamodb").Table("logins")


        def caller(creds=Depends(bearer)) -> dict:
            logins.put_item(Item={"id": creds.credentials})
            return jwt.decode(creds.credentials, "k", algorithms=["HS256"])


        Caller = Annotated[dict, Depends(caller)]
        """,
    "app/routes/__init__.py": "",
    "app/routes/notes.py": """
        from fastapi import APIRouter

        from app.db import notes
        from app.security import Caller

        router = APIRouter()


        @router.get("/notes/{note_id}")
        def read(note_id: str, me: Caller):
            return notes.get_item(Key={"id": note_id})["Item"]


        @router.put("/notes/{note_id}")
        def replace(note_id: str, text: str, me: Caller):
            notes.put_item(Item={"id": note_id, "owner": me["id"], "text": text})


        @router.delete("/notes/{note_id}")
        def remove(note_id: str):
            notes.delete_item(Key={"id": note_id})
        """,
}
ROUTES = "app/routes/notes.py"


def sites(findings: tuple[Finding, ...]) -> set[tuple[str, int, str, str, str]]:
    return {
        (f.path or "", f.line or 0, f.rule, f.severity.value, f.confidence.value) for f in findings
    }


def test_subtree_reads_the_principal_from_the_same_package(tmp_path: Path) -> None:
    # Given a package whose routes take the principal from an alias in app/security.py
    root = write(tmp_path, PACKAGE)
    whole = scan([root / "app"], root=root, config=ENGINE_RULES)
    assert [e.to_json() for e in whole.errors] == []
    expected = {s for s in sites(whole.findings) if s[0] == ROUTES}
    assert {(line, rule) for _, line, rule, _, _ in expected} == {
        (11, "DG103"),
        (16, "DG101"),
        (16, "DG103"),  # the replace writes the caller as owner over any note's id
        (21, "DG101"),
        (21, "DG103"),
        (21, "DG104"),
    }
    # When only the routes are scanned
    part = scan([root / "app" / "routes"], root=root, config=ENGINE_RULES)
    # Then the same findings, severities and confidences are reported for them, and nothing
    # in the modules read for context (security.py's unconditional put is not reported)
    assert [e.to_json() for e in part.errors] == []
    assert sites(part.findings) == expected
    assert any(s[0] == "app/security.py" for s in sites(whole.findings))
    route = next(f for f in part.findings if f.rule == "DG103")
    assert route.evidence["auth"] == "param dependency caller"  # resolved in security.py


def test_one_changed_file_scan_reads_its_package(tmp_path: Path) -> None:
    # Given a pre-commit style scan of one file (the default root: the current directory)
    root = write(tmp_path, PACKAGE)
    part = scan([root / ROUTES], root=root, config=ENGINE_RULES)
    # Then the routes are still seen as authenticated
    assert {(f.line, f.rule) for f in part.findings} == {
        (11, "DG103"),
        (16, "DG101"),
        (16, "DG103"),  # the replace writes the caller as owner over any note's id
        (21, "DG101"),
        (21, "DG103"),
        (21, "DG104"),
    }
    assert part.stats["files"] == 1


CONTEXT_NOISE = """

from fastapi import APIRouter

other = APIRouter()
PATH = "/computed"


@other.get(PATH)
def computed():
    logins.delete_item(Key={"id": "x"})  # dynaguard: ignore[DG116] an unused suppression
"""


def test_context_modules_are_not_reported_on(tmp_path: Path) -> None:
    # Given a context module with a finding, a shape the index flags and an unused
    # suppression, all of which a scan of the whole package reports
    files = dict(PACKAGE)
    files["app/security.py"] = textwrap.dedent(files["app/security.py"]) + CONTEXT_NOISE
    root = write(tmp_path, files)
    whole = scan([root / "app"], root=root)
    assert {e.path for e in whole.errors} == {"app/security.py"}
    assert {w.path for w in whole.warnings} == {"app/security.py"}
    # When only the routes are scanned
    part = scan([root / "app" / "routes"], root=root)
    # Then the module was read (the principal is known) but nothing points at it
    assert (11, "DG103") in {(f.line, f.rule) for f in part.findings}
    assert {f.path for f in part.findings} == {ROUTES}
    assert [e.to_json() for e in part.errors] == []
    assert [w.to_json() for w in part.warnings] == []


def test_other_top_level_packages_are_not_read(tmp_path: Path) -> None:
    # Given the alias in a sibling top-level package (another distribution, in effect)
    files = {k.replace("app/security.py", "shared/security.py"): v for k, v in PACKAGE.items()}
    files["shared/__init__.py"] = ""
    files[ROUTES] = files[ROUTES].replace("from app.security", "from shared.security")
    root = write(tmp_path, files)
    part = scan([root / "app" / "routes"], root=root, config=ENGINE_RULES)
    # Then it stays unknown: its name says nothing, so the app authenticates nowhere
    assert {(f.line, f.rule) for f in part.findings} == {(16, "DG101"), (21, "DG101")}


def test_modules_at_the_top_of_site_packages_read_no_other_distribution(tmp_path: Path) -> None:
    # Given an installed environment: a top-level module importing another distribution
    (tmp_path / "somelib-1.0.dist-info").mkdir()
    (tmp_path / "single.py").write_text("import boto3\nfrom otherdist.core import thing\n")
    (tmp_path / "otherdist").mkdir()
    (tmp_path / "otherdist" / "__init__.py").write_text("")
    (tmp_path / "otherdist" / "core.py").write_text("thing = 1\n")
    # When scanning that module alone
    result = scan([tmp_path / "single.py"], root=tmp_path)
    # Then nothing of the other distribution is read for context
    assert result.stats["context"] == 0
    # while in a project directory (no .dist-info) the same import is context
    (tmp_path / "somelib-1.0.dist-info").rmdir()
    assert scan([tmp_path / "single.py"], root=tmp_path).stats["context"] == 1


UNRESOLVED = """
from fastapi import APIRouter

from company_auth import CurrentUser, Session
import boto3

notes = boto3.resource("dynamodb").Table("notes")
router = APIRouter()


@router.get("/notes/{note_id}")
def read(note_id: str, me: CurrentUser):
    return notes.get_item(Key={"id": note_id})["Item"]


@router.get("/drafts/{note_id}")
def draft(note_id: str, db: Session):
    return notes.get_item(Key={"id": note_id})["Item"]


@router.delete("/notes/{note_id}")
def remove(note_id: str):
    notes.delete_item(Key={"id": note_id}, ConditionExpression="attribute_exists(id)")
"""


def test_unresolved_alias_name_decides_nothing(tmp_path: Path) -> None:
    # Given `me: CurrentUser` imported from a package the scan cannot read
    root = write(tmp_path, {"routes.py": UNRESOLVED})
    result = scan([root], root=root, config=ENGINE_RULES)
    assert [e.to_json() for e in result.errors] == []
    # Then the alias's name alone authenticates nobody: no route is known to authenticate,
    # so the ownership and authentication rules stay quiet (configuration can say more)
    assert {(f.line, f.rule) for f in result.findings} == set()


def test_configured_alias_names_count(tmp_path: Path) -> None:
    text = UNRESOLVED.replace("CurrentUser", "Who")
    root = write(tmp_path, {"routes.py": text})
    assert {f.rule for f in scan([root], root=root, config=ENGINE_RULES).findings} == set()
    config = Config(auth_dependencies=("company_auth.Who",), select=ENGINE_RULES.select)
    got = {(f.line, f.rule) for f in scan([root], root=root, config=config).findings}
    assert got == {(12, "DG103"), (17, "DG103"), (22, "DG103"), (22, "DG104")}


# -- the acceptance check on the demo ----------------------------------------------------


@pytest.mark.parametrize(("app", "count"), [("vulnerable", 19), ("hardened", 0)])
def test_demo_subtree_scan_matches_the_demo_scan(app: str, count: int) -> None:
    # Given the demo's scan of one app (with the shared auth.py and settings.py)
    from dynaguard.demo.engines import DEMO_DIR, scan_app

    demo = scan_app(app)
    # When only the app's own package is scanned, auth.py outside it
    part = scan([DEMO_DIR / app], root=DEMO_DIR)
    # Then the same (rule, line) set is reported, at the same severities and confidences
    assert [e.to_json() for e in part.errors] == []
    assert sites(part.findings) == sites(demo.findings)
    assert len(part.findings) == count
    assert int(str(part.stats["context"])) >= 2  # auth.py, settings.py and their imports


def test_dependency_built_on_a_configured_alias_authenticates(tmp_path: Path) -> None:
    # Given a project dependency whose own parameter is the unreadable alias
    text = UNRESOLVED.replace(
        "router = APIRouter()",
        "router = APIRouter()\n\n\ndef load_owner(me: CurrentUser) -> dict:\n    return me",
    ).replace("db: Session", "who: dict = Depends(load_owner)")
    text = text.replace("from fastapi import APIRouter", "from fastapi import APIRouter, Depends")
    root = write(tmp_path, {"routes.py": text})
    from dynaguard.core.config import Config

    # (configured: the alias's name alone decides nothing)
    config = Config(auth_dependencies=("company_auth.CurrentUser",))
    result = scan([root], root=root, config=config)
    # Then the route that depends on it is authenticated too
    draft = next(f for f in result.findings if f.evidence.get("function") == "routes:draft")
    assert draft.rule == "DG103"
    assert draft.evidence["authenticated"] is True
    assert draft.evidence["auth"] == "param dependency load_owner"


def test_demo_subtree_scan_from_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the command a user types, from the directory that holds the package
    from dynaguard.cli.main import main
    from dynaguard.demo.engines import DEMO_DIR, scan_app

    monkeypatch.chdir(DEMO_DIR.parents[1])
    # When `dynaguard scan dynaguard/demo/vulnerable --format json` runs
    code = main(["scan", "dynaguard/demo/vulnerable", "--format", "json", "--fail-on", "none"])
    report = json.loads(capsys.readouterr().out)
    # Then it reports the demo scan's (rule, line) set
    assert code == 0
    got = {
        (f["path"].removeprefix("dynaguard/demo/"), f["line"], f["rule"])
        for f in report["findings"]
    }
    assert got == {(f.path, f.line, f.rule) for f in scan_app("vulnerable").findings}


ONE_ROUTE = """
import boto3
from fastapi import FastAPI

from company_lib import {name}

app = FastAPI()
notes = boto3.resource("dynamodb").Table("notes")


@app.get("/notes/{{note_id}}")
def read(note_id: str, me: {name}):
    return notes.get_item(Key={{"id": note_id}})["Item"]
"""
NAMES = ["CurrentUser", "CurrentActiveUser", "AuthenticatedUser", "current_user"]
NAMES += ["AuthUser", "CurrentUserDep", "Principal", "VerifyToken", "RequireLogin"]
NAMES += ["User", "Admin", "AuthRequest", "OAuth2PasswordRequestForm", "TokenData"]
NAMES += ["Session", "SessionDep", "Settings"]


@pytest.mark.parametrize("name", NAMES)
def test_unresolved_alias_names_decide_nothing(tmp_path: Path, name: str) -> None:
    # Given `me: <name>` imported from a library the scan cannot read
    root = write(tmp_path, {"app.py": ONE_ROUTE.format(name=name)})
    result = scan([root], root=root)
    # Then no name makes the app authenticated, so DG103 stays silent; configured, the
    # name counts (at medium confidence: the code behind it is unread)
    got = {(f.line, f.rule, f.confidence.value) for f in result.findings if f.rule == "DG103"}
    assert got == set()
    from dynaguard.core.config import Config

    configured = scan([root], root=root, config=Config(auth_dependencies=(name,)))
    got = {(f.line, f.rule, f.confidence.value) for f in configured.findings if f.rule == "DG103"}
    assert got == {(12, "DG103", "medium")}
