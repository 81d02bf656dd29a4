"""The static engine: files -> index -> rules -> suppressions -> Result. Never raises on input."""

from __future__ import annotations

import ast
import gc
import os
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

from dynaguard import __version__
from dynaguard.core import suppressions
from dynaguard.core.config import Config
from dynaguard.core.findings import EngineKind, Finding, unique_fingerprints
from dynaguard.core.registry import Registered, RuleMeta, all_rules
from dynaguard.core.result import ANALYSIS_ERROR, Diagnostic, Result
from dynaguard.scan import confine, files, iac
from dynaguard.scan.files import Prepared
from dynaguard.scan.iac import suppress as iac_suppress
from dynaguard.scan.walk import nodes


def prepare(path: Path, root: Path, parse: bool = False, defer: bool = False) -> Prepared:
    """Read one file; parse it when it is relevant (or `parse` forces it), else syntax-check it.

    With `defer`, a relevant file keeps its text and is parsed later by `finish` (a worker
    process hands back text: pickling a syntax tree costs more than parsing it again).
    """
    src = files.read(path, root)
    tree: ast.Module | None = None
    error = src.error
    if src.text is not None and not (src.relevant or parse):
        # never indexed (unless a relevant module imports it): only syntax-checked here
        error = files.check(src)
        return Prepared(
            str(path),
            src.rel,
            files.module_name(path, root),
            src.lines,
            False,
            [],
            None,
            None,
            error,
        )
    if defer and src.text is not None and src.relevant:
        return Prepared(
            str(path),
            src.rel,
            files.module_name(path, root),
            src.lines,
            True,
            src.imports,
            src.text,
            None,
            error,
        )
    if src.text is not None and (src.relevant or parse):
        tree, error = files.parse(src)
    return Prepared(
        str(path),
        src.rel,
        files.module_name(path, root),
        src.lines,
        src.relevant,
        _imports_of(src) if tree is not None else [],
        _kept(src.text) if tree is not None else None,
        tree,
        error,
    )


def _imports_of(src: files.SourceFile) -> list[str]:
    """Import names (read with the file when relevant; a forced parse reads them now)."""
    if src.relevant or src.text is None:
        return src.imports
    return files.imports(src.text)


def _kept(text: str | None) -> str | None:
    """The source text, kept only when it has suppression comments to read later."""
    return text if text is not None and "dynaguard:" in text else None


def _prepare_star(args: tuple[str, str]) -> Prepared:
    gc.disable()  # a forked worker inherits the parent's state, a spawned one does not
    return _prepare_safe(args, defer=True)


def finish(p: Prepared) -> Prepared:
    """Parse a file a worker read and found relevant."""
    if p.tree is not None or p.text is None or p.error is not None:
        return p
    src = files.SourceFile(Path(p.path), p.rel, p.text, p.lines, True, [])
    tree, error = files.parse(src)
    imports = p.imports if tree is not None else []
    text = _kept(p.text) if tree is not None else None
    return Prepared(p.path, p.rel, p.module, p.lines, True, imports, text, tree, error)


def default_root(paths: Sequence[Path]) -> Path:
    """cwd when every path is under it, else the paths' common parent."""
    cwd = Path.cwd().resolve()
    resolved = [p.resolve() for p in paths]
    if all(p == cwd or cwd in p.parents for p in resolved):
        return cwd
    dirs = [p if p.is_dir() else p.parent for p in resolved]
    return Path(os.path.commonpath([str(d) for d in dirs])) if dirs else cwd


def scan(
    paths: Sequence[Path],
    *,
    config: Config | None = None,
    jobs: int = 1,
    root: Path | None = None,
) -> Result:
    """Scan files and directories; problems with the input become result errors."""
    # Syntax trees hold millions of objects and no reference cycles: the cyclic collector
    # only re-scans them (measured: parsing a 550k-line tree took 7x longer with it on).
    enabled = gc.isenabled()
    gc.disable()
    default_cap = files.MAX_BYTES
    if config is not None and config.max_file_bytes is not None:
        # every reader of this scan (workers are forked from here) skips larger files
        files.MAX_BYTES = config.max_file_bytes
    try:
        return _scan(paths, config=config, jobs=jobs, root=root)
    finally:
        files.MAX_BYTES = default_cap
        files.forget_packages()
        if enabled:
            gc.enable()


def _scan(paths: Sequence[Path], *, config: Config | None, jobs: int, root: Path | None) -> Result:
    started = time.perf_counter()
    config = config or Config()
    paths = [Path(p) for p in paths] or [Path(".")]
    root = root or default_root(paths)
    errors: list[Diagnostic] = [
        Diagnostic(path=str(p), message="no such file or directory")
        for p in paths
        if not p.exists()
    ]
    files.forget_packages()
    found, infra = iac.discover([p for p in paths if p.exists()], config.exclude, root, errors)
    prepared, notes = _read_all(found, root, jobs)
    files.unique_modules(prepared)
    iac_files = iac.start(infra, root, jobs)  # read while this process indexes (jobs > 1)
    modules = _on_demand(prepared, root)
    errors += [p.error for p in prepared if p.error is not None]
    rules = [r for r in _static_rules() if config.enabled(r.meta.id)]
    # A file that breaks indexing or a rule is set aside and reported; the rest is analysed.
    existing = [p for p in paths if p.exists()]
    build = partial(confine.index, modules, iac_files, config, existing, root, found)
    raw, index_errors, indexed = confine.run(build, rules, jobs)
    kept, suppressed, warnings = _suppress(raw, modules, indexed.project.iac.comments)
    kept = [_override(f, config) for f in kept]
    from dynaguard.scan.report import char_columns  # rules count bytes; reports, characters

    kept = char_columns(kept, {p.rel: Path(p.path) for p in modules})
    return Result(
        tool_version=__version__,
        engine=EngineKind.STATIC,
        target=" ".join(str(p) for p in paths),
        findings=tuple(unique_fingerprints(kept)),
        errors=tuple(errors + index_errors),
        warnings=tuple(notes + indexed.notes + warnings),
        rules=tuple(r.meta for r in rules),
        stats={
            "files": len(found),
            "parsed": len(modules),
            "context": len(indexed.outside),  # imported modules read from outside the paths
            "iac": indexed.project.iac.files,  # IaC files (and CDK modules) with IAM grants
            "lines": sum(p.lines for p in prepared),
            "suppressed": suppressed,
            "seconds": round(time.perf_counter() - started, 3),
            # False when a file or a rule could not be analysed (confine): findings may be missing
            "complete": not any(e.kind == ANALYSIS_ERROR for e in (*errors, *index_errors)),
        },
    )


def _read_all(found: list[Path], root: Path, jobs: int) -> tuple[list[Prepared], list[Diagnostic]]:
    """Every file read (relevant ones parsed); a note when a worker process died (workers)."""
    if jobs <= 1 or len(found) < 64:
        return [_prepare_safe((str(p), str(root))) for p in found], []
    from dynaguard.scan import workers

    # Workers read and pre-filter (most files stop there); this process parses the rest
    # while the workers are still reading.
    try:
        todo = [(str(p), str(root)) for p in found]
        done, note = workers.run(
            _prepare_star, todo, min(jobs, workers.max_jobs()), lost=_lost, after=finish
        )
    except OSError:  # no processes to be had (limits, sandbox): read them here instead
        return [_prepare_safe((str(p), str(root))) for p in found], []
    return done, [Diagnostic(path=str(root), message=note)] if note else []


def _prepare_safe(args: tuple[str, str], *, defer: bool = False, parse: bool = False) -> Prepared:
    """prepare(), but an unforeseen failure is this file's analysis error, not the run's."""
    try:
        return prepare(Path(args[0]), Path(args[1]), parse=parse, defer=defer)
    except Exception as exc:
        return _failed(args, f"not read: {type(exc).__name__}: {exc}")


def _lost(args: tuple[str, str]) -> Prepared:
    return _failed(args, "not read: the worker process reading it died (out of memory?)")


def _failed(args: tuple[str, str], message: str) -> Prepared:
    path, root = Path(args[0]), Path(args[1])
    rel = files.relpath(path, root)
    error = Diagnostic(path=rel, kind=ANALYSIS_ERROR, message=message)
    return Prepared(str(path), rel, path.stem, 0, False, [], None, None, error)


MAX_IMPORT_DEPTH = 3  # route -> service -> repository -> db helpers


def _on_demand(prepared: list[Prepared], root: Path) -> list[Prepared]:
    """Parsed relevant modules plus the scanned modules they import, to a bounded depth.

    A module that only re-exports (imports, `__all__`, aliases: a package facade) is not
    a hop: a dependency re-exported through any number of facades is still read. The
    bound keeps a library's whole import graph out of a scan of one of its users.
    """
    if all(p.tree is not None or (p.error and p.error.kind == ANALYSIS_ERROR) for p in prepared):
        # every file already parsed (or failed as one that matters): nothing to add
        return [p for p in prepared if p.tree is not None]
    by_name = {p.module: i for i, p in enumerate(prepared)}
    suffixes: dict[str, list[int]] = {}
    for name, i in by_name.items():
        parts = name.split(".")
        for k in range(1, len(parts)):
            suffixes.setdefault(".".join(parts[k:]), []).append(i)
    # breadth first, so that a module is expanded at the least depth it is imported at
    todo = deque((i, 0) for i, p in enumerate(prepared) if p.tree is not None)
    done = {i for i, _ in todo}
    while todo:
        index, depth = todo.popleft()
        p = prepared[index]
        if depth >= MAX_IMPORT_DEPTH:
            continue
        for imp in p.imports:
            for i in _candidates(imp, p.module, by_name, suffixes, prepared):
                if i in done:
                    continue
                done.add(i)
                q = prepared[i]
                if q.tree is None and q.error is None:
                    name, q = q.module, _prepare_safe((q.path, str(root)), parse=True)
                    prepared[i], q.module = q, name  # as unique_modules named it
                if q.error and q.error.kind != ANALYSIS_ERROR and not files.skipped(q.error):
                    # code a relevant module runs, unread: its findings may be missing
                    prepared[i] = replace(q, error=replace(q.error, kind=ANALYSIS_ERROR))
                if q.tree is not None:
                    hop = 0 if _facade(q.tree) else 1
                    (todo.appendleft if hop == 0 else todo.append)((i, depth + hop))
    return [p for p in prepared if p.tree is not None]


def _facade(tree: ast.Module) -> bool:
    """A module that only re-exports: imports, `__all__` and plain aliases (`X = Y`)."""
    return all(
        isinstance(s, ast.Import | ast.ImportFrom)
        or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
        or (
            isinstance(s, ast.Assign | ast.AnnAssign)
            and isinstance(s.value, ast.Name | ast.List | ast.Tuple)
        )
        for s in tree.body
    )


def _candidates(
    imp: str,
    near: str,
    by_name: dict[str, int],
    suffixes: dict[str, list[int]],
    prepared: list[Prepared],
) -> list[int]:
    """Scanned modules an import may name: the exact module, else the nearest suffix match."""
    if imp.startswith("."):
        pkg = near.split(".")
        dots = len(imp) - len(imp.lstrip("."))
        imp = ".".join([*pkg[: len(pkg) - dots], imp.lstrip(".")]).strip(".")
    out: list[int] = []
    own = near.split(".")
    for name in (imp, imp.rpartition(".")[0]):
        if not name:
            continue
        if name in by_name:
            out.append(by_name[name])
            continue
        found = suffixes.get(name)
        if not found:
            continue
        # fixture-style trees without __init__.py: `from app.db import x` names app/db.py
        best = max(found, key=lambda i: _shared(prepared[i].module, own))
        shared = _shared(prepared[best].module, own)
        if "." in name or shared >= len(own) - 1:
            out.append(best)
    return out


def _shared(name: str, own: list[str]) -> int:
    n = 0
    for a, b in zip(name.split("."), own, strict=False):
        if a != b:
            break
        n += 1
    return n


def _static_rules() -> list[Registered]:
    import dynaguard.scan.rules  # noqa: F401  (registers every rule module)

    return [r for r in all_rules(EngineKind.STATIC) if r.meta.module.startswith("dynaguard.scan.")]


def _suppress(
    found: list[Finding], modules: list[Prepared], comments: dict[str, str] | None = None
) -> tuple[list[Finding], int, list[Diagnostic]]:
    by_path: dict[str, list[Finding]] = {}
    for f in found:
        by_path.setdefault(f.path or "", []).append(f)
    kept: list[Finding] = []
    warnings: list[Diagnostic] = []
    dropped = 0
    for p in modules:
        marks, problems = suppressions.parse(p.text or "", p.rel)
        warnings += problems
        mine = by_path.pop(p.rel, [])
        if not marks:
            kept += mine
            continue
        assert p.tree is not None
        spans = _statement_spans(p.tree)
        wide = [_widen(f, spans) for f in mine]
        surrogates = {id(w): f for w, f in zip(wide, mine, strict=True)}
        left, n, unused = suppressions.apply(wide, marks, p.rel)
        kept += [surrogates[id(w)] for w in left]
        dropped += n
        warnings += unused
    left, n, unused = iac_suppress(by_path, comments or {})  # marks on an IaC statement's line
    kept, dropped, warnings = kept + left, dropped + n, warnings + unused
    for rest in by_path.values():
        kept += rest
    return kept, dropped, warnings


def _statement_spans(tree: ast.Module) -> list[tuple[int, int]]:
    return [
        (n.lineno, n.end_lineno or n.lineno)
        for n in nodes(tree)
        if isinstance(n, ast.stmt) and not isinstance(n, _COMPOUND)
    ]


_COMPOUND = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.Match,
)


def _widen(f: Finding, spans: list[tuple[int, int]]) -> Finding:
    """The finding stretched over its whole (simple) statement, for suppression matching."""
    line = f.line or 0
    best = min((s for s in spans if s[0] <= line <= s[1]), key=lambda s: s[1] - s[0], default=None)
    if best is None:
        return f
    return replace(f, line=min(best[0], line), end_line=max(best[1], f.end_line or line))


def _override(f: Finding, config: Config) -> Finding:
    level = config.severity.get(f.rule)
    return replace(f, severity=level) if level is not None else f


def rule_metas() -> list[RuleMeta]:
    """Metadata of every static rule."""
    return [r.meta for r in _static_rules()]
