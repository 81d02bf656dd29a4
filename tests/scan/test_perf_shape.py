"""What the fast paths must not change: every file syntax-checked, names and paths as before."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from dynaguard.core.config import Config
from dynaguard.scan import files, scan, walk
from dynaguard.scan.index import Project
from dynaguard.scan.model import FunctionInfo, Route
from dynaguard.scan.reach import reachable_routes

ROUTE = textwrap.dedent(
    """\
    import boto3
    from helpers import normalise

    table = boto3.resource("dynamodb").Table("items")


    def remove(item_id):
        table.delete_item(Key={"id": normalise(item_id)})
    """
)


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(result: object) -> set[tuple[str, int | None, str]]:
    found = getattr(result, "errors", ())
    return {(e.path, e.line, e.message) for e in found}


@pytest.mark.parametrize("jobs", [1, 2])
def test_unparsable_file_the_prefilter_skips_is_an_error(tmp_path: Path, jobs: int) -> None:
    # Given a tree large enough for the worker pool, where one file that mentions nothing
    # of FastAPI or DynamoDB does not parse
    for i in range(70):
        write(tmp_path, f"pkg/m{i:02d}.py", f"VALUE = {i}\n")
    write(tmp_path, "pkg/broken.py", "def greet(name:\n    return name\n")
    write(tmp_path, "pkg/python2.py", 'print "hello"\n')
    # When it is scanned
    result = scan([tmp_path], root=tmp_path, jobs=jobs)
    # Then both unparsable files are errors with their line, and nothing else is
    assert {(p, line) for p, line, _ in errors_of(result)} == {
        ("pkg/broken.py", 1),
        ("pkg/python2.py", 1),
    }
    assert all(m.startswith("syntax error: ") for _, _, m in errors_of(result))
    assert not result.findings
    # and none of them was indexed: the pre-filter still decides what is analysed
    assert result.stats["parsed"] == 0
    assert result.stats["files"] == 72


@pytest.mark.parametrize("jobs", [1, 2])
def test_unparsable_helper_imported_by_a_relevant_module_is_one_error(
    tmp_path: Path, jobs: int
) -> None:
    # Given a DynamoDB module importing a helper that does not parse (plus filler files)
    for i in range(70):
        write(tmp_path, f"filler/f{i:02d}.py", f"VALUE = {i}\n")
    write(tmp_path, "routes.py", ROUTE)
    write(tmp_path, "helpers.py", "def normalise(x)\n    return x.strip()\n")
    # When it is scanned
    result = scan([tmp_path], root=tmp_path, jobs=jobs)
    # Then the helper is reported once, and the route module is still analysed
    assert errors_of(result) == {("helpers.py", 1, "syntax error: expected ':'")}
    assert {(f.path, f.line, f.rule) for f in result.findings} == {("routes.py", 8, "DG101")}


def test_relevant_and_skipped_files_report_errors_the_same_way(tmp_path: Path) -> None:
    # Given the same syntax error in a relevant file and in a skipped one
    write(tmp_path, "relevant.py", "import boto3\nx = (1,\n")
    write(tmp_path, "skipped.py", "import json\nx = (1,\n")
    # When scanned
    result = scan([tmp_path], root=tmp_path)
    # Then both errors read alike (same line, same message)
    by_path = {p: (line, m) for p, line, m in errors_of(result)}
    assert by_path["relevant.py"] == by_path["skipped.py"]
    assert by_path["skipped.py"][1].startswith("syntax error")


def test_skipped_files_are_checked_as_parsing_checks_them(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # Given skipped files that parse but that the bytecode compiler rejects or warns about
    write(tmp_path, "script.py", "import json\nreturn json.dumps({})\n")
    write(tmp_path, "warns.py", "x = 1\nif x is 1:\n    assert (x, 'never empty')\n")
    write(tmp_path, "broken.py", "import json\ndef f(:\n")
    # When scanned
    result = scan([tmp_path], root=tmp_path)
    # Then only the file that does not parse is an error, and nothing is printed
    assert errors_of(result) == {("broken.py", 2, "syntax error: invalid syntax")}
    assert capfd.readouterr() == ("", "")


def test_relpath_keeps_symlinked_names_and_falls_back_to_resolved_paths(tmp_path: Path) -> None:
    # Given a real tree and a symlink to it
    real = tmp_path / "real"
    write(real, "app/main.py", "x = 1\n")
    link = tmp_path / "link"
    link.symlink_to(real)
    # Then a path under the root spelled like the root is relative to it
    assert files.relpath(real / "app" / "main.py", real) == "app/main.py"
    assert files.relpath(link / "app" / "main.py", link) == "app/main.py"
    # and a path spelled through the link is still found under the real root
    assert files.relpath(link / "app" / "main.py", real) == "app/main.py"
    # and a path outside the root stays absolute; the root itself is "."
    assert files.relpath(tmp_path / "elsewhere.py", real) == (tmp_path / "elsewhere.py").as_posix()
    assert files.relpath(real, real) == "."
    # and a sibling whose name starts like the root is not under it
    assert files.relpath(tmp_path / "real2" / "x.py", real) == (tmp_path / "real2/x.py").as_posix()


def test_module_names_see_a_package_created_between_two_scans(tmp_path: Path) -> None:
    # Given a DynamoDB module in plain directories, scanned once: named from the root
    mod = write(tmp_path, "a/b/db.py", UNCONDITIONED)
    first = scan([tmp_path], root=tmp_path)
    assert files.module_name(mod, tmp_path) == "a.b.db"
    # When its directory becomes a package and the tree is scanned again
    write(tmp_path, "a/b/__init__.py", "")
    second = scan([tmp_path], root=tmp_path)
    # Then the new layout decides the name (the package cache did not outlive the scan)
    assert files.module_name(mod, tmp_path) == "b.db"
    assert [f.rule for f in first.findings] == [f.rule for f in second.findings] == ["DG101"]


UNCONDITIONED = textwrap.dedent(
    """\
    import boto3

    table = boto3.resource("dynamodb").Table("items")


    def remove(item_id):
        table.delete_item(Key={"id": item_id})
    """
)


def _module(p: Project, name: str, text: str) -> None:
    p.add_module(name, name.replace(".", "/") + ".py", ast.parse(textwrap.dedent(text)))


def test_suffix_matches_prefer_the_nearest_module_and_see_modules_added_later() -> None:
    # Given two services with the same `app.db` module
    p = Project(Config())
    _module(p, "svc1.app.db", "x = 1\n")
    _module(p, "svc2.app.db", "x = 2\n")
    # Then `app.db` from inside each service names its own, asked twice (cached) or once
    for _ in range(2):
        assert p.find_module("app.db", "svc1.app.routes") is p.modules["svc1.app.db"]
        assert p.find_module("app.db", "svc2.app.routes") is p.modules["svc2.app.db"]
    # When a nearer candidate is added after a query
    _module(p, "svc1.app.routes.app.db", "x = 3\n")
    # Then the choice is made again with it
    found = p.find_module("app.db", "svc1.app.routes")
    assert found is p.modules["svc1.app.routes.app.db"]


def test_route_of_names_the_first_route_of_a_function_even_when_routes_are_added() -> None:
    # Given an app with one function mounted twice and another once
    p = Project(Config())
    _module(
        p,
        "api",
        """
        from fastapi import FastAPI
        app = FastAPI()

        @app.get("/a")
        @app.get("/b")
        def both():
            return 1

        @app.get("/c")
        def one():
            return 2
        """,
    )
    p.link()
    both, one = p.functions["api:both"], p.functions["api:one"]
    # Then route_of gives each function's first declared route
    first = p.route_of(both)
    assert first is not None and first is next(r for r in p.routes if r.function == "api:both")
    assert (r := p.route_of(one)) is not None and r.path == "/c"
    # and a route appended later is found too
    extra = replace_route(p.routes[-1], function="api:late")
    p.routes.append(extra)
    late = FunctionInfo("api:late", "api", "late", None, both.node, "api.py")
    assert p.route_of(late) is extra
    assert p.route_of(both) is first


def replace_route(route: Route, *, function: str) -> Route:
    return Route(route.methods, route.path, route.router, function, [], [], route.line, route.file)


def test_suffix_matches_break_ties_by_shortest_then_first_declared() -> None:
    # Given candidates for `app.db` that share no prefix with the asking module, or as much
    p = Project(Config())
    for name in ("zz.long.app.db", "b.app.db", "a.app.db", "svc.x.app.db", "svc.y.app.db"):
        _module(p, name, "x = 1\n")
    # Then the longest shared prefix wins, then the shortest name, then the first added
    assert p.find_module("app.db", "other.routes") is p.modules["b.app.db"]
    assert p.find_module("app.db", "svc.routes") is p.modules["svc.x.app.db"]
    assert p.find_module("app.db", "svc.y.routes") is p.modules["svc.y.app.db"]
    assert p.find_module("app.db", "zz.long") is p.modules["zz.long.app.db"]


def _own_reference(root: ast.AST) -> list[ast.AST]:
    # the depth-first walk the rules used before walk.own_nodes
    out: list[ast.AST] = []
    todo = list(ast.iter_child_nodes(root))
    while todo:
        n = todo.pop()
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        out.append(n)
        todo.extend(ast.iter_child_nodes(n))
    return out


def _same(a: list[ast.AST], b: list[ast.AST]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


def test_cached_walks_visit_what_ast_walk_visits_in_the_same_order() -> None:
    # Given real code: the scanner's own sources and the rule fixtures (match, try, lambdas)
    src = Path(files.__file__).parent
    fixtures = Path(__file__).parent / "fixtures"
    sources = [*sorted(src.rglob("*.py")), *sorted(fixtures.rglob("*.py"))]
    trees = [ast.parse(p.read_bytes()) for p in sources]
    trees.append(ast.parse(MATCH_AND_TRY))
    checked = 0
    for tree in trees:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            # Then each walk equals its reference, asked twice (the second answer cached)
            for _ in range(2):
                assert _same(walk.walk(node), list(ast.walk(node)))
                assert _same(walk.own_nodes(node), _own_reference(node))
                blocks = ast.stmt | ast.excepthandler | ast.match_case
                expected = [n for n in _own_reference(node) if isinstance(n, blocks)]
                assert _same(walk.own_statements(node), expected)
            checked += 1
    assert checked > 600


MATCH_AND_TRY = textwrap.dedent(
    """\
    async def handler(event, items):
        match event:
            case {"kind": "put", "item": item} if item:
                try:
                    items.append(lambda: item)
                except* ValueError as exc:
                    raise RuntimeError(str(exc))
            case _:
                async with lock:
                    for x in items:
                        try:
                            pass
                        except KeyError:
                            continue
                        else:
                            break
                        finally:
                            print(x)
                while True:
                    class Inner:
                        def m(self):
                            try:
                                pass
                            except OSError:
                                pass
    """
)


REACH = {
    "api": """
        from fastapi import FastAPI
        from svc import create, purge
        app = FastAPI()

        @app.post("/a")
        def a():
            create()

        @app.delete("/b")
        def b():
            purge()

        @app.get("/c")
        def c():
            return 1

        @app.put("/d")
        @app.patch("/e")
        def d():
            purge()
            create()
        """,
    "svc": """
        def create():
            _write()

        def purge():
            _write()
            purge()

        def _write():
            _leaf()

        def _leaf():
            return None
        """,
}


# every route reaches the leaf helper, in the order the routes are declared
LEAF_ROUTES = ["POST /a", "DELETE /b", "PUT /d", "PATCH /e"]


def _reach_reference(p: Project, fn: FunctionInfo) -> list[Route]:
    # the forward search from every route that reachable_routes used before
    hits: list[Route] = []
    for route in p.routes:
        todo, seen = [route.function], set()
        while todo:
            q = todo.pop()
            if q == fn.qualname:
                hits.append(route)
                break
            if q not in seen:
                seen.add(q)
                todo += [cs.callee for cs in p.callsites.get(q, [])]
    return hits


def test_reachable_routes_answers_as_the_forward_search_did() -> None:
    # Given an app whose routes share helpers, with recursion and a route declared twice
    p = Project(Config())
    for name, text in REACH.items():
        _module(p, name, text)
    p.link()
    # Then every function's routes are the forward search's, in declaration order
    for fn in p.functions.values():
        assert reachable_routes(p, fn) == _reach_reference(p, fn)
    labels = [r.label for r in reachable_routes(p, p.functions["svc:_leaf"])]
    assert labels == LEAF_ROUTES
    assert reachable_routes(p, p.functions["api:c"]) == [p.route_of(p.functions["api:c"])]


def test_the_prefilter_in_parts_answers_as_the_whole_pattern() -> None:
    """files.relevant is RELEVANT.search, searched in parts (literals first)."""
    samples = [
        b"import fastapi\n",
        b"  from boto3.dynamodb import conditions\n",
        b"from aioboto3 import Session\n",
        b"x = 'from fastapi import X'\n",  # not at a line start
        b"# import fastapiX\n",
        b"import fastapiX\n",
        b"t.put_item(Item=x)\n",
        b"t.put_item (Item=x)\n",
        b"db.Table('x')\n",
        b"Table('x')\n",
        b"app = FastAPI()\n",
        b"r = APIRouter(prefix='/x')\n",
        b"boto3 is mentioned here\n",
        b"import starlette.requests\nimport os\n",
        b"\timport\taws_cdk\n",
        b"",
    ]
    src = Path(files.__file__).parents[1]
    samples += [p.read_bytes() for p in sorted(src.rglob("*.py"))]
    fixtures = Path(__file__).parent / "fixtures"
    samples += [p.read_bytes() for p in sorted(fixtures.rglob("*.py"))]
    for data in samples:
        assert files.relevant(data) == (files.RELEVANT.search(data) is not None), data[:80]


def test_try_statements_found_by_statements_are_those_ast_walk_finds() -> None:
    from dynaguard.scan.queries.routes import _tries

    src = Path(files.__file__).parents[1]
    fixtures = Path(__file__).parent / "fixtures"
    for path in [*sorted(src.rglob("*.py")), *sorted(fixtures.rglob("*.py"))]:
        for fn in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                want = [t for t in ast.walk(fn) if isinstance(t, ast.Try)]
                got = _tries(fn)
                assert len(got) == len(want) and {id(t) for t in got} == {id(t) for t in want}
