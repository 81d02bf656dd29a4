"""Context modules: the scanned code's own imports from outside the scanned paths.

`dynaguard scan app/routers` (or a pre-commit hook that passes one changed file) still
imports `from app.deps import CurrentUser`: without app/deps.py the principal is unknown and
every route looks unauthenticated. Modules of the same top-level package (found by walking
up through the directories that have an `__init__.py`, else under the scan root) that the
scanned code imports are parsed on demand and indexed for context only: the engine drops
findings, unknown shapes and suppressions located in them. Bounded in depth and number, so
a one-file scan stays a small scan.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dynaguard.scan import files

if TYPE_CHECKING:
    from dynaguard.scan.index import Project
    from dynaguard.scan.symbols import ModuleInfo

MAX_DEPTH = 2  # routes -> deps.py -> security.py
MAX_MODULES = 64
# (directory the dotted names start from, the top-level name allowed there; None: any)
Base = tuple[Path, str | None]


def add_outside(
    project: Project, paths: Sequence[Path], root: Path, scanned: Iterable[Path]
) -> set[str]:
    """Index the project's imports of its own modules outside `paths`; return their paths.

    The returned paths are spelled as findings spell them (relative to `root`).
    """
    bases = _bases(paths, root)
    if not bases:
        return set()
    skip: set[str] | None = None  # the files the scan discovered, built on first need
    added: set[str] = set()
    located: dict[str, Path | None] = {}  # module name -> file, across importers
    todo = list(project.modules.values())
    for _ in range(MAX_DEPTH):
        found: list[ModuleInfo] = []
        for mod in todo:
            for name, path in _wanted(project, mod, bases, located):
                if skip is None:  # real paths: the bases were resolved, symlinks and all
                    skip = {os.path.realpath(p) for p in scanned}
                if os.path.realpath(path) in skip or name in project.modules:
                    continue
                info = _parse(project, name, path, root)
                if info is not None:
                    added.add(info.path)
                    found.append(info)
                if len(added) >= MAX_MODULES:
                    return added
        todo = found
    return added


def _bases(paths: Sequence[Path], root: Path) -> set[Base]:
    """Where each scanned path's package starts, and its top-level name."""
    out: set[Base] = set()
    for p in paths:
        d = (p if p.is_dir() else p.parent).resolve()
        if (d / "__init__.py").is_file():
            while (d.parent / "__init__.py").is_file() and d.parent != d:
                d = d.parent
            out.add((d.parent, d.name))
            continue
        # no package: module names are spelled from the scan root (`app.routers.items`)
        try:
            rel = d.relative_to(root.resolve())
        except ValueError:
            out.add((d, None))  # names start here (a script directory)
            continue
        top = rel.parts[0] if rel.parts else None
        if top is None and _installed(root.resolve()):
            continue  # a module at the top of site-packages: its imports are other projects
        out.add((root.resolve(), top))
    # a base inside a scanned directory has nothing outside the scan (`scan .`, a whole
    # site-packages): skip it rather than look up every import of the standard library
    dirs = [p.resolve() for p in paths if p.is_dir()]
    return {(b, t) for b, t in out if not any(_within(b / (t or ""), d) for d in dirs)}


def _installed(directory: Path) -> bool:
    """Whether a directory is an installed environment (site-packages), not a project."""
    return any(directory.glob("*.dist-info"))


def _within(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents


def _wanted(
    project: Project, mod: ModuleInfo, bases: set[Base], located: dict[str, Path | None]
) -> Iterator[tuple[str, Path]]:
    """(module name, file) for each import of `mod` the index cannot resolve but a base can."""
    for target in _targets(mod):
        top = target.split(".", 1)[0]
        if not any(t is None or t == top for _, t in bases):
            continue  # another distribution (fastapi, boto3...): never read
        names = [target, target.rpartition(".")[0]]
        if any(n and project.find_module(n, mod.name) is not None for n in names):
            continue
        for name in filter(None, names):
            if name not in located:
                located[name] = _locate(name, bases)
            path = located[name]
            if path is not None:
                yield name, path
                break


def _targets(mod: ModuleInfo) -> list[str]:
    """Dotted import targets, relative ones resolved (`import a.b` kept whole)."""
    out = list(dict.fromkeys(mod.imports.values()))
    for stmt in mod.tree.body:
        if isinstance(stmt, ast.Import):
            out += [a.name for a in stmt.names if "." in a.name]
    return out


def _locate(name: str, bases: set[Base]) -> Path | None:
    parts = name.split(".")
    for base, top in sorted(bases, key=lambda b: (str(b[0]), b[1] or "")):
        if top is not None and parts[0] != top:
            continue
        stem = base.joinpath(*parts)
        for candidate in (stem.with_name(stem.name + ".py"), stem / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None


def _parse(project: Project, name: str, path: Path, root: Path) -> ModuleInfo | None:
    """Read, parse and index one context module; one that cannot be read is left out."""
    src = files.read(path, root)
    if src.text is None:
        return None
    tree, error = files.parse(src)
    if tree is None or error is not None:
        return None
    project.add_module(name, src.rel, tree)
    return project.modules[name]
