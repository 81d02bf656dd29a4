"""Finding, reading and pre-filtering source files; every failure becomes a Diagnostic."""

from __future__ import annotations

import ast
import fnmatch
import io
import os
import re
import tokenize
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from dynaguard.core.fileio import InputError, not_regular, read_capped
from dynaguard.core.result import ANALYSIS_ERROR, Diagnostic

# Larger files are generated data, not application code, and a syntax tree costs 110-190
# times the source's size (bench/README.md): 1 MiB keeps one file under ~200 MB.
# [tool.dynaguard] max_file_bytes raises or lowers it per project.
MAX_BYTES = 1 << 20
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".tox",
        ".nox",
        "node_modules",
        ".venv",
        "venv",
        ".eggs",
        ".dynaguard_cache",  # our own result cache (its JSON would look like an input)
    }
)
# A file with none of these (an import of the web or DynamoDB libraries, a DynamoDB method
# call) cannot hold a route or a DynamoDB call; it is parsed only when a relevant file
# imports it (a models, service or repository module). Mentions in prose do not count.
RELEVANT = re.compile(
    rb"^[ \t]*(?:from|import)[ \t]+"
    rb"(?:fastapi|starlette|boto3|aioboto3|aiobotocore|pynamodb|aws_cdk)\b"
    rb"|\.(?:put_item|update_item|get_item|delete_item|transact_write_items|batch_write_item"
    rb"|Table)\(|APIRouter\(|FastAPI\(",
    re.M,
)
# RELEVANT searched in parts (`relevant`): the same answer, 3x faster on third-party code,
# where the line-anchored import alternative tried every position of every file. A file can
# import a library only if it contains the library's name, and the call and constructor
# alternatives are literal searches.
_LIBRARIES = (b"fastapi", b"starlette", b"boto3", b"aiobotocore", b"pynamodb", b"aws_cdk")
_RELEVANT_IMPORT = re.compile(
    rb"^[ \t]*(?:from|import)[ \t]+"
    rb"(?:fastapi|starlette|boto3|aioboto3|aiobotocore|pynamodb|aws_cdk)\b",
    re.M,
)
_RELEVANT_CALL = re.compile(
    rb"\.(?:put_item|update_item|get_item|delete_item|transact_write_items|batch_write_item"
    rb"|Table)\("
)
IMPORT_LINE = re.compile(
    rb"^\s*(?:from\s+(\.*[\w.]*)\s+import\s+([^#\n]+)|import\s+([^#\n]+))", re.M
)

SKIPPED = "skipped: "  # the message of a file left unread by policy


@dataclass(slots=True)
class SourceFile:
    """One file read from disk: its text (None when unreadable) and the cheap facts."""

    path: Path
    rel: str
    text: str | None
    lines: int
    relevant: bool
    imports: list[str]  # dotted names mentioned by import statements (relative kept as .x)
    error: Diagnostic | None = None


def discover(
    paths: Sequence[Path],
    exclude: Sequence[str],
    root: Path,
    errors: list[Diagnostic] | None = None,
    suffixes: tuple[str, ...] = (".py",),
) -> Iterator[Path]:
    """Python files (or files ending in `suffixes`) under `paths`, sorted, minus excluded
    globs and tool directories.

    Directories that cannot be listed are appended to `errors` and skipped.
    """
    seen: set[Path] = set()
    for start in paths:
        if start.is_file():
            candidates: list[Path] = [start]
        else:
            candidates = sorted(_walk(start, root, errors, suffixes))
        for p in candidates:
            if p in seen or _excluded(p, exclude, root):
                continue
            seen.add(p)
            # a FIFO or device named x.py is never read (nor hashed by a cache): an error, skipped
            odd = not_regular(p)
            if odd is not None:
                if errors is not None:
                    errors.append(
                        Diagnostic(path=relpath(p, root), message=f"{SKIPPED}file is {odd}")
                    )
                continue
            yield p


def _walk(
    top: Path, root: Path, errors: list[Diagnostic] | None, suffixes: tuple[str, ...]
) -> Iterator[Path]:
    def failed(exc: OSError) -> None:
        if errors is not None:
            where = relpath(Path(exc.filename or top), root)
            errors.append(Diagnostic(path=where, message=f"cannot list: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(top, onerror=failed):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for f in filenames:
            if f.endswith(suffixes):
                yield Path(dirpath) / f


def _excluded(path: Path, patterns: Sequence[str], root: Path) -> bool:
    if not patterns:
        return False
    rel = relpath(path, root)
    parts = Path(rel).parts
    for raw in patterns:
        pat = raw.rstrip("/")
        if fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(rel, pat + "/*"):
            return True
        if any(fnmatch.fnmatch(part, pat) for part in parts):
            return True
    return False


def relpath(path: Path, root: Path) -> str:
    """`path` relative to `root` with forward slashes (absolute when outside it)."""
    # abspath, not resolve: a symlinked file keeps its own name in the report
    p, r = os.path.abspath(path), os.path.abspath(root)
    if p.startswith(r.rstrip(os.sep) + os.sep):  # the common case, without a Path per file
        return p[len(r.rstrip(os.sep)) + 1 :].replace(os.sep, "/")
    # resolving costs two realpath walks per file: only when the plain spelling differs
    for a, b in ((p, r), (path.resolve(), root.resolve())):
        try:
            return Path(a).relative_to(b).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def read(path: Path, root: Path) -> SourceFile:
    """Read a file; binary, huge, non-UTF-8 and unreadable files come back with an error."""
    rel = relpath(path, root)
    try:
        # only a regular file, never more than the cap: a FIFO or a link to /dev/zero named
        # x.py must neither hang the scan nor fill the memory
        data = read_capped(path, MAX_BYTES)
    except InputError as exc:
        hint = "; max_file_bytes in [tool.dynaguard] raises it" if "limit" in exc.reason else ""
        return _failed(path, rel, f"{SKIPPED}file is {exc.reason}{hint}")
    except OSError as exc:
        return _failed(path, rel, f"cannot read: {exc.strerror or exc}")
    if b"\x00" in data:
        return _failed(path, rel, f"{SKIPPED}binary file (NUL bytes)")
    utf8 = data.removeprefix(b"\xef\xbb\xbf")  # the bytes of `text`, when it is UTF-8
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        declared = _declared(data)  # PEP 263: `# -*- coding: latin-1 -*-` is valid Python
        if declared is None:
            lines = data.count(b"\n")
            why = f"not UTF-8: {exc.reason} at byte {exc.start}"
            return _failed(path, rel, why, lines, relevant(data))
        text = declared
        utf8 = text.encode("utf-8", "replace")
    matters = relevant(data)
    # read here, in the worker that read the file, so the parsing process does not have to
    found = _imports(utf8) if matters else []
    return SourceFile(path, rel, text, data.count(b"\n") + 1, matters, found)


def relevant(data: bytes) -> bool:
    """Whether RELEVANT matches the file's bytes (the same answer, searched in parts)."""
    return (
        b"APIRouter(" in data
        or b"FastAPI(" in data
        or _RELEVANT_CALL.search(data) is not None
        or (any(n in data for n in _LIBRARIES) and _RELEVANT_IMPORT.search(data) is not None)
    )


def _declared(data: bytes) -> str | None:
    """The text decoded with the encoding its coding cookie declares, if any and valid."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return None if encoding.startswith("utf-8") else data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return None


def _failed(
    path: Path, rel: str, message: str, lines: int = 0, matters: bool = False
) -> SourceFile:
    error = Diagnostic(path=rel, message=message, kind=_kind(matters))
    return SourceFile(path, rel, None, lines, False, [], error)


def skipped(error: Diagnostic) -> bool:
    """A file left unread by policy (its size, NUL bytes, not a regular file), not one
    that failed: reported, never an analysis error, whoever imports it."""
    return error.message.startswith(SKIPPED)


def _kind(matters: bool) -> str:
    # A file that could hold findings and was not read leaves the run incomplete: a gate
    # must not pass on code it never saw (Python newer than the scanner's, a stray byte).
    # One the pre-filter would skip anyway is only reported.
    return ANALYSIS_ERROR if matters else "error"


def imports(text: str) -> list[str]:
    """Dotted names the file's import statements mention (relative ones keep their dots)."""
    return _imports(text.encode("utf-8", "replace"))


def _imports(data: bytes) -> list[str]:
    # A regex over import lines is enough to decide which modules to parse on demand;
    # the index later reads the real imports from the tree.
    out: list[str] = []
    for m in IMPORT_LINE.finditer(data):
        if m.group(1) is not None:
            base = m.group(1).decode("ascii", "replace")
            names = m.group(2).decode("ascii", "replace").strip("()\\ ")
            for raw in names.split(","):
                n = raw.strip().split(" as ")[0].strip("() ")
                if n:
                    out.append(f"{base}.{n}" if not base.endswith(".") else base + n)
            out.append(base)
        else:
            for n in m.group(3).decode("ascii", "replace").split(","):
                out.append(n.strip().split(" as ")[0])
    return out


def parse(src: SourceFile) -> tuple[ast.Module | None, Diagnostic | None]:
    """Parse a read file; a syntax error becomes a Diagnostic."""
    assert src.text is not None
    try:
        return ast.parse(src.text, filename=src.rel, type_comments=False), None
    except SyntaxError as exc:
        why = f"syntax error: {exc.msg}"
        kind = _kind(src.relevant)
        return None, Diagnostic(path=src.rel, line=exc.lineno, message=why, kind=kind)
    except (ValueError, RecursionError, MemoryError) as exc:
        why = f"cannot parse: {type(exc).__name__}"
        return None, Diagnostic(path=src.rel, message=why, kind=_kind(src.relevant))


def check(src: SourceFile) -> Diagnostic | None:
    """Syntax-check a read file that will not be indexed; its tree is discarded at once."""
    if src.text is None:
        return src.error
    # A file the pre-filter skips is still Python the user asked us to read: an error in
    # it must be reported. Compiling to bytecode finds every error parsing does without
    # building the tree's Python objects (17% less time than `ast.parse` over
    # site-packages); what it rejects is parsed, so that the error reads as in a relevant
    # file, and only the compiler's own complaints (`return` outside a function) pass.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the compiler's SyntaxWarnings are not ours
            compile(src.text, src.rel, "exec", dont_inherit=True, optimize=2)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return parse(src)[1]
    return None


def module_name(path: Path, root: Path) -> str:
    """A dotted module name: from the package layout when there is one, else from `root`."""
    parts = [path.stem] if path.stem != "__init__" else []
    d = path.parent
    # Climb while the directory is a package; this gives the name Python itself would use.
    while _is_package(d) and d.parent != d:
        parts.insert(0, d.name)
        d = d.parent
    if len(parts) > (0 if path.stem == "__init__" else 1):
        return ".".join(parts) or path.parent.name
    rel = Path(relpath(path, root))
    if rel.is_absolute():
        return ".".join(parts) or path.parent.name
    dotted = [*rel.parent.parts, *([] if path.stem == "__init__" else [path.stem])]
    return ".".join(p for p in dotted if p not in ("", ".")) or path.stem


def unique_modules(prepared: Sequence[Prepared]) -> None:
    """Where two files share a dotted name (`app.db` of two services, each an `app`
    package under a plain directory), name every module of those services by its path
    under the scan's root (`billing.app.db`), so that neither replaces the other in the
    index. Relative imports follow the longer names; absolute ones (`from app import db`)
    find the nearer module (`Project.find_module`)."""
    seen: dict[str, int] = {}
    for p in prepared:
        seen[p.module] = seen.get(p.module, 0) + 1
    roots = {_prefix(p) for p in prepared if seen[p.module] > 1} - {None, ()}
    for p in prepared:
        prefix = _prefix(p)
        if prefix in roots:
            p.module = ".".join((*prefix, p.module)) if prefix else p.module


def _prefix(p: Prepared) -> tuple[str, ...] | None:
    """The directories between the scan's root and the file's top-level package."""
    rel = Path(p.rel)
    parts = (*rel.parent.parts, *(() if rel.stem == "__init__" else (rel.stem,)))
    names = tuple(p.module.split("."))
    if rel.is_absolute() or parts[len(parts) - len(names) :] != names:
        return None
    prefix = parts[: len(parts) - len(names)]
    return None if any(x in ("", "..") or "." in x for x in prefix) else prefix


# Directories known to be packages (or not), per scan: module_name climbs the same
# directories for every file of a package; engine.scan clears it so a long-lived process
# sees an __init__.py created between two scans.
_PACKAGES: dict[Path, bool] = {}


def _is_package(d: Path) -> bool:
    found = _PACKAGES.get(d)
    if found is None:
        found = _PACKAGES[d] = (d / "__init__.py").exists()
    return found


def forget_packages() -> None:
    """Drop the cached package-directory checks (called at the start of each scan)."""
    _PACKAGES.clear()


@dataclass(slots=True)
class Prepared:
    """A file read (and parsed when relevant) by a worker."""

    path: str
    rel: str
    module: str
    lines: int
    relevant: bool
    imports: list[str]
    text: str | None
    tree: ast.Module | None
    error: Diagnostic | None
