"""The engine: lenient on bad input, suppressions, config, jobs, paths and fingerprints."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dynaguard.core.config import Config
from dynaguard.core.findings import Severity
from dynaguard.core.result import Diagnostic
from dynaguard.scan import files, scan

UNCONDITIONED = textwrap.dedent(
    """\
    import boto3

    table = boto3.resource("dynamodb").Table("items")


    def remove(item_id):
        table.delete_item(Key={"id": item_id})
    """
)


def write(root: Path, name: str, text: str | bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def sites(result: object) -> set[tuple[str, int, str]]:
    findings = getattr(result, "findings", ())
    return {(f.path, f.line, f.rule) for f in findings}


def test_bad_files_become_errors_and_the_scan_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a tree with every kind of unreadable file next to a real finding
    write(tmp_path, "good.py", UNCONDITIONED)
    write(tmp_path, "syntax.py", "import boto3\ndef broken(:\n")
    write(tmp_path, "latin1.py", "# boto3\nname = '\xe9'\n".encode("latin-1"))
    write(tmp_path, "binary.py", b"boto3\x00\x01\x02")
    write(tmp_path, "huge.py", "import boto3\n" + "x = 1\n" * 200)
    (tmp_path / "dangling.py").symlink_to(tmp_path / "missing-target.py")
    monkeypatch.setattr(files, "MAX_BYTES", 1000)
    # When it is scanned, with one path that does not exist
    result = scan([tmp_path, tmp_path / "nope"], root=tmp_path)
    # Then each problem is one error and the good file is still analysed
    errors = {(e.path, e.message.split(":")[0]) for e in result.errors}
    assert errors == {
        (str(tmp_path / "nope"), "no such file or directory"),
        ("syntax.py", "syntax error"),
        ("latin1.py", "not UTF-8"),
        ("binary.py", "skipped"),
        ("huge.py", "skipped"),
        ("dangling.py", "cannot read"),
    }
    assert next(e for e in result.errors if e.path == "syntax.py").line == 2
    assert sites(result) == {("good.py", 7, "DG101")}


def test_suppression_on_any_line_of_the_statement_and_unused_ones_reported(
    tmp_path: Path,
) -> None:
    # Given a multi-line call suppressed on its second line, and a suppression of nothing
    write(
        tmp_path,
        "app.py",
        UNCONDITIONED
        + textwrap.dedent(
            """\


            def remove_again(item_id):
                table.delete_item(
                    Key={"id": item_id},  # dynaguard: ignore[DG101] deletes are idempotent here
                )


            def other():
                return 1  # dynaguard: ignore[DG103] nothing here
            """
        ),
    )
    # When scanned
    result = scan([tmp_path], root=tmp_path)
    # Then only the unsuppressed call is reported, and the unused mark is a warning
    assert sites(result) == {("app.py", 7, "DG101")}
    assert result.stats["suppressed"] == 1
    assert [(w.kind, w.line) for w in result.warnings] == [("unused-suppression", 17)]


def test_select_ignore_severity_and_exclude(tmp_path: Path) -> None:
    write(tmp_path, "app.py", UNCONDITIONED)
    write(tmp_path, "vendor/lib.py", UNCONDITIONED)
    base = scan([tmp_path], root=tmp_path)
    assert sites(base) == {("app.py", 7, "DG101"), ("vendor/lib.py", 7, "DG101")}

    excluded = scan([tmp_path], root=tmp_path, config=Config(exclude=("vendor",)))
    assert sites(excluded) == {("app.py", 7, "DG101")}

    ignored = scan([tmp_path], root=tmp_path, config=Config(ignore=("DG101",)))
    assert sites(ignored) == set()
    assert "DG101" not in {m.id for m in ignored.rules}

    selected = scan([tmp_path], root=tmp_path, config=Config(select=("DG103",)))
    assert [m.id for m in selected.rules] == ["DG103"]

    lowered = scan([tmp_path], root=tmp_path, config=Config(severity={"DG101": Severity.LOW}))
    assert {f.severity for f in lowered.findings} == {Severity.LOW}


def test_jobs_give_the_same_result(tmp_path: Path) -> None:
    # Given enough files for the worker pool to be used
    for i in range(70):
        write(tmp_path, f"pkg/m{i:02d}.py", UNCONDITIONED if i % 7 == 0 else f"x = {i}\n")
    # When scanned with one and with two processes
    one = scan([tmp_path], root=tmp_path, jobs=1)
    two = scan([tmp_path], root=tmp_path, jobs=2)
    # Then the findings are identical
    assert sites(one) == sites(two)
    assert len(sites(one)) == 10
    assert [f.fingerprint for f in one.findings] == [f.fingerprint for f in two.findings]


def test_rules_run_in_at_most_four_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a scan asking for 8 jobs, and the rule pool's process pools recorded
    from concurrent.futures import ProcessPoolExecutor

    from dynaguard.scan import rulepool

    sizes: list[int] = []

    class Recorded(ProcessPoolExecutor):
        def __init__(self, workers: int, **kwargs: object) -> None:
            sizes.append(workers)
            super().__init__(workers, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(rulepool, "ProcessPoolExecutor", Recorded)
    monkeypatch.setattr(rulepool, "MIN_WORK", 0)
    write(tmp_path, "app.py", UNCONDITIONED)
    one = scan([tmp_path], root=tmp_path, jobs=1)
    eight = scan([tmp_path], root=tmp_path, jobs=8)
    # Then the rules ran in three workers beside the scan's own process, with one's result
    assert sizes == [rulepool.MAX_PROCESSES - 1] == [3]
    assert [f.fingerprint for f in eight.findings] == [f.fingerprint for f in one.findings]
    assert sites(one)


def test_rules_stay_in_this_process_when_workers_cannot_pay_for_themselves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a project with fewer DynamoDB calls and routes than the rule pool's threshold
    from dynaguard.scan import rulepool

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("no rule workers for a project this small")

    monkeypatch.setattr(rulepool, "run", forbidden)
    write(tmp_path, "app.py", UNCONDITIONED)
    # When scanned with two jobs
    two = scan([tmp_path], root=tmp_path, jobs=2)
    # Then every rule ran here, with the one-process result
    assert sites(two) == sites(scan([tmp_path], root=tmp_path, jobs=1)) == {("app.py", 7, "DG101")}
    assert two.errors == ()


def test_paths_are_relative_to_cwd_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "svc/app.py", UNCONDITIONED)
    monkeypatch.chdir(tmp_path)
    result = scan([Path("svc")])
    assert sites(result) == {("svc/app.py", 7, "DG101")}


def test_fingerprints_survive_moved_lines(tmp_path: Path) -> None:
    write(tmp_path, "app.py", UNCONDITIONED)
    before = scan([tmp_path], root=tmp_path).findings
    write(tmp_path, "app.py", "# a new header comment\n\n\n" + UNCONDITIONED)
    after = scan([tmp_path], root=tmp_path).findings
    assert [f.line for f in before] == [7] and [f.line for f in after] == [10]
    assert [f.fingerprint for f in before] == [f.fingerprint for f in after]


def test_unique_key_put_is_not_reported_a_clock_key_is_low_and_findings_name_route(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        "app.py",
        textwrap.dedent(
            """\
            import time
            import uuid

            import boto3
            from fastapi import APIRouter, FastAPI

            table = boto3.resource("dynamodb").Table("items")
            router = APIRouter(prefix="/items")


            @router.post("")
            def create(name: str):
                table.put_item(Item={"id": str(uuid.uuid4()), "name": name})


            @router.put("/{item_id}")
            def replace(item_id: str, name: str):
                table.put_item(Item={"id": item_id, "name": name})


            @router.post("/stamped")
            def stamped(name: str):
                table.put_item(Item={"id": str(time.time_ns()), "name": name})


            app = FastAPI()
            app.include_router(router, prefix="/api")
            """
        ),
    )
    result = scan([tmp_path], root=tmp_path)
    found = {(f.line, f.severity, f.route) for f in result.findings}
    # a uuid4 key cannot name an existing item; a clock can repeat (low); a path id high
    assert found == {
        (18, Severity.HIGH, "PUT /api/items/{item_id}"),
        (23, Severity.LOW, "POST /api/items/stamped"),
    }
    replace = next(f for f in result.findings if f.line == 18)
    assert replace.evidence["table"] == "items"
    assert replace.evidence["operation"] == "put_item"
    assert replace.evidence["function"] == "app:replace"


def test_computed_route_path_is_an_unknown_shape(tmp_path: Path) -> None:
    write(
        tmp_path,
        "app.py",
        'from fastapi import FastAPI\napp = FastAPI()\nPATH = "/x"\n\n'
        "@app.get(PATH)\ndef handler():\n    return 1\n",
    )
    result = scan([tmp_path], root=tmp_path)
    assert [(e.kind, e.line) for e in result.errors] == [("unknown-shape", 5)]


def test_importing_the_scanner_is_light() -> None:
    code = (
        "import sys, dynaguard.scan; "
        "print(sorted(m for m in sys.modules if 'dynaguard.scan.' in m))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


def test_declared_source_encoding_is_honoured(tmp_path: Path) -> None:
    # PEP 263: a coding cookie makes a latin-1 file valid Python
    body = "# -*- coding: latin-1 -*-\n# caf\xe9\n" + UNCONDITIONED
    write(tmp_path, "legacy.py", body.encode("latin-1"))
    result = scan([tmp_path], root=tmp_path)
    assert result.errors == ()
    assert sites(result) == {("legacy.py", 9, "DG101")}


def test_route_on_an_unresolved_router_is_an_unknown_shape(tmp_path: Path) -> None:
    write(
        tmp_path,
        "app.py",
        "from fastapi import FastAPI\nfrom elsewhere import router\n\n"
        '@router.get("/items")\ndef handler():\n    return 1\n',
    )
    result = scan([tmp_path], root=tmp_path)
    assert [(e.kind, e.line, e.message) for e in result.errors] == [
        ("unknown-shape", 4, "route on unresolved router `router`: not analysed")
    ]


def test_unlistable_directory_is_an_error(tmp_path: Path) -> None:
    # os.walk reports a directory it cannot list through onerror; simulate one that
    # vanishes between the walk's listing and its descent (root can read everything).
    write(tmp_path, "app.py", UNCONDITIONED)
    errors: list[Diagnostic] = []
    listed = list(files.discover([tmp_path / "gone"], (), tmp_path, errors))
    assert listed == []
    assert [(e.path, e.message[:11]) for e in errors] == [("gone", "cannot list")]


def test_configured_owner_attribute_is_a_key_the_principal_decides(tmp_path: Path) -> None:
    write(
        tmp_path,
        "app.py",
        textwrap.dedent(
            """\
            import boto3, jwt
            from fastapi import Depends, FastAPI, Header
            from pydantic import BaseModel

            app = FastAPI()
            table = boto3.resource("dynamodb").Table("docs")

            def get_current_user(authorization: str = Header()):
                return jwt.decode(authorization, "k", algorithms=["HS256"])

            class DocIn(BaseModel):
                workspace: str
                title: str

            @app.post("/docs")
            def create(body: DocIn, user=Depends(get_current_user)):
                table.put_item(
                    Item={"workspace": body.workspace, "title": body.title},
                    ConditionExpression="attribute_not_exists(workspace)",
                )
            """
        ),
    )
    plain = scan([tmp_path], root=tmp_path, config=Config(select=("DG106",)))
    assert sites(plain) == set()
    configured = Config(select=("DG106",), owner_attributes=("workspace",))
    assert sites(scan([tmp_path], root=tmp_path, config=configured)) == {("app.py", 17, "DG106")}


def test_a_failing_rule_is_reported_and_the_others_still_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dynaguard.core import registry

    write(tmp_path, "app.py", UNCONDITIONED)
    rule = registry.get_rule("DG103")
    assert rule is not None

    def broken(project: object) -> list[object]:
        raise AssertionError("a bug in the rule")

    monkeypatch.setitem(registry._REGISTRY, "DG103", registry.Registered(rule.meta, broken))
    result = scan([tmp_path], root=tmp_path)
    assert sites(result) == {("app.py", 7, "DG101")}
    assert [(e.path, e.kind) for e in result.errors] == [("DG103", "analysis-error")]
    assert result.stats["complete"] is False


def test_a_request_with_too_many_call_paths_is_reported_not_cut_silently(tmp_path: Path) -> None:
    # Given a route whose calls form 12 diamonds (4096 call paths) above a write
    lines = [
        "import boto3",
        "from fastapi import FastAPI",
        "app = FastAPI()",
        "t = boto3.resource('dynamodb').Table('t')",
        "def f12(k: str) -> None:",
        "    t.put_item(Item={'id': k})",
    ]
    for i in range(11, -1, -1):
        lines += [
            f"def a{i}(k: str) -> None:\n    f{i + 1}(k)",
            f"def b{i}(k: str) -> None:\n    f{i + 1}(k)",
            f"def f{i}(k: str) -> None:\n    a{i}(k)\n    b{i}(k)",
        ]
    lines += ["@app.post('/x/{k}')", "def route(k: str) -> None:", "    f0(k)"]
    text = "\n".join(lines) + "\n"
    write(tmp_path, "app.py", text)
    route_line = text.splitlines().index("def route(k: str) -> None:") + 1
    # When it is scanned
    result = scan([tmp_path], root=tmp_path)
    # Then the write is still found and attributed to the route (its first paths are
    # followed), and the run says which route was not followed to the end
    assert ("app.py", 6, "DG101") in sites(result)
    assert {f.route for f in result.findings if f.rule == "DG101"} == {"POST /x/{k}"}
    shapes = {(e.kind, e.line) for e in result.errors}
    assert shapes == {("unknown-shape", route_line)}
    assert all("more than 32 call paths" in e.message for e in result.errors)
    assert result.stats["complete"]  # a budget reached is said, not an analysis error


def test_a_request_whose_events_are_cut_makes_the_run_incomplete(tmp_path: Path) -> None:
    # Given a route that reads 401 times before it calls a helper that writes
    reads = [f"    t.get_item(Key={{'id': 'k{i}'}})" for i in range(401)]
    lines = [
        "import boto3",
        "from fastapi import FastAPI",
        "app = FastAPI()",
        "t = boto3.resource('dynamodb').Table('t')",
        "def helper(k: str) -> None:",
        "    t.put_item(Item={'id': k})",
        "@app.post('/x/{k}')",
        "def route(k: str) -> None:",
        *reads,
        "    helper(k)",
    ]
    write(tmp_path, "app.py", "\n".join(lines) + "\n")
    # When it is scanned
    result = scan([tmp_path], root=tmp_path)
    # Then the events not followed are an analysis error, and the run says it is incomplete
    cut = [e for e in result.errors if e.kind == "analysis-error"]
    assert [(e.path, e.line) for e in cut] == [("app.py", 8)]
    assert "more than 400 DynamoDB calls and checks" in cut[0].message
    assert result.stats["complete"] is False


def test_recursive_type_aliases_end(tmp_path: Path) -> None:
    # a parameter annotated with aliases that name each other (`Node = Optional["Tree"]`,
    # `Tree = list["Node"]`): the types engine follows each alias once; no analysis error
    (tmp_path / "app.py").write_text(
        textwrap.dedent(
            """
            from typing import Optional
            import boto3
            from fastapi import FastAPI
            app = FastAPI()
            Node = Optional["Tree"]
            Tree = list["Node"]
            Loop = list["Loop"]
            def save(n: Node, m: Loop, item: dict):
                n.put_item(Item=item)
                m.put_item(Item=item)
            @app.post("/x")
            def x(item: dict):
                save(None, None, item)
            """
        )
    )
    result = scan([tmp_path], root=tmp_path)
    assert result.errors == ()
    assert result.stats["complete"] is True
