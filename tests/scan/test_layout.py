"""The scanner's layout: small modules, small rules, no import cycle.

Every rule is a query of at most 150 lines. No module of scan/ takes part in an import
cycle, counting deferred imports too (function-level and TYPE_CHECKING ones): the engines
name the index by the `Project` protocol (scan/protocols.py), never by index.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

SCAN = Path(__file__).resolve().parents[2] / "src" / "dynaguard" / "scan"
# todo: the v2 port makes these queries of <= 150 lines
RULES_OVER_150: set[str] = set()


def _name(path: Path) -> str:
    parts = path.relative_to(SCAN.parent.parent).with_suffix("").parts
    return ".".join(parts).removesuffix(".__init__")


def _targets(node: ast.stmt, modules: set[str]) -> set[str]:
    """The scan/ modules an import statement loads: `from dynaguard.scan import files` loads
    `dynaguard.scan.files` (the package's own __init__ is every submodule's parent, not an
    edge), `from dynaguard.scan.index import Project` loads `dynaguard.scan.index`."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name.startswith("dynaguard.scan")}
    if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("dynaguard.scan"):
        return set()
    module = node.module or ""
    subs = {f"{module}.{a.name}" for a in node.names} & modules
    return subs if len(subs) == len(node.names) else subs | {module}


def _graph(import_time_only: bool) -> dict[str, set[str]]:
    paths = list(SCAN.rglob("*.py"))
    modules = {_name(path) for path in paths}
    graph: dict[str, set[str]] = {}
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = tree.body if import_time_only else list(ast.walk(tree))
        graph[_name(path)] = {
            t for n in nodes if isinstance(n, ast.stmt) for t in _targets(n, modules)
        }
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[set[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        while work:
            node, edges = work[-1]
            nxt = next((w for w in edges if w in graph), None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                elif nxt in stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp: set[str] = set()
                while True:
                    w = stack.pop()
                    comp.add(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    out.append(comp)
    return out


def test_modules_are_at_most_400_lines() -> None:
    long = {
        str(p.relative_to(SCAN)): n
        for p in SCAN.rglob("*.py")
        if (n := p.read_text(encoding="utf-8").count("\n")) > 400
    }
    assert long == {}


def test_rule_modules_are_at_most_150_lines() -> None:
    over = {
        p.name
        for p in (SCAN / "rules").glob("dg*.py")
        if p.read_text(encoding="utf-8").count("\n") > 150
    }
    assert over == set()


def test_no_import_cycle_at_import_time() -> None:
    assert _cycles(_graph(import_time_only=True)) == []


def test_no_import_cycle_deferred_imports_included() -> None:
    assert [sorted(c) for c in _cycles(_graph(import_time_only=False))] == []


def test_imports_name_the_submodule_they_load() -> None:
    modules = {"dynaguard.scan", "dynaguard.scan.files", "dynaguard.scan.index"}
    tree = ast.parse(
        "from dynaguard.scan import files\nfrom dynaguard.scan.index import Project\n"
        "import dynaguard.scan.index\nfrom dynaguard.scan import scan\n"
    )
    found = [_targets(n, modules) for n in tree.body]
    assert found == [
        {"dynaguard.scan.files"},
        {"dynaguard.scan.index"},
        {"dynaguard.scan.index"},
        {"dynaguard.scan"},
    ]


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [{"a", "b", "c"}]


# Every rule is a query: it imports the query API (`scan.query`, `scan.queries.*`) and the
# core only, so it cannot walk syntax trees or reach into the engine.
QUERY_API = ("dynaguard.scan.query", "dynaguard.scan.queries", "dynaguard.core")


def _stray_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    allowed = {"__future__", "collections.abc", "dynaguard.scan"}
    return {m for m in imported if m not in allowed and not m.startswith(QUERY_API)}


def test_rules_import_only_the_query_api() -> None:
    stray = {p.name: _stray_imports(p) for p in sorted((SCAN / "rules").glob("dg*.py"))}
    assert {name: mods for name, mods in stray.items() if mods} == {}


def test_the_import_check_catches_a_tree_walk(tmp_path: Path) -> None:
    rule = tmp_path / "dg999_x.py"
    rule.write_text("import ast\nfrom dynaguard.scan.flow import events\n", encoding="utf-8")
    assert _stray_imports(rule) == {"ast", "dynaguard.scan.flow"}
