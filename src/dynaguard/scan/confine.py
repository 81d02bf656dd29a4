"""A failure while analysing one file stays in that file (STYLE.md "A failure stays in its box").

Rules run over the whole project, so one crafted file (a 990-deep attribute chain, a file
name that is not UTF-8) that breaks a rule would otherwise cost every finding of that rule
in every other file. When indexing or a rule raises, the file it was working on is found
from the objects in the traceback (the innermost call, route, function or module being
analysed), the project is indexed again without that file, and only the rules that failed
run again. The file and the rule are reported as an `analysis-error`, which marks the run
incomplete (exit code 2 when nothing else fails the gate).

Bounded: at most MAX_EXCLUDED files are set aside; after that, or when no file can be
blamed, the rule is reported as stopped for the whole project.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, TracebackType
from typing import TYPE_CHECKING

from dynaguard.core.config import Config
from dynaguard.core.findings import Finding
from dynaguard.core.registry import Registered
from dynaguard.core.result import ANALYSIS_ERROR, Diagnostic
from dynaguard.scan import rulepool
from dynaguard.scan.frames import Frame
from dynaguard.scan.iac.model import IacFacts
from dynaguard.scan.index import Project
from dynaguard.scan.model import ClassInfo, DynamoCall, FunctionInfo, Route
from dynaguard.scan.symbols import ModuleInfo

if TYPE_CHECKING:
    from dynaguard.scan.files import Prepared

MAX_EXCLUDED = 8


@dataclass(slots=True)
class Indexed:
    """A linked project and what building it reported."""

    project: Project
    outside: set[str]  # paths read for context only: their findings are not reported
    errors: list[Diagnostic] = field(default_factory=list)
    shapes: int = 0  # unknown shapes reported with the index (rules may find more)
    notes: list[Diagnostic] = field(default_factory=list)  # warnings: a rule worker died


Build = Callable[[frozenset[str]], Indexed]  # index every module except these paths


def run(
    build: Build, rules: list[Registered], jobs: int = 1
) -> tuple[list[Finding], list[Diagnostic], Indexed]:
    """Index, run the rules, set aside the files that break them: findings, errors, last index.

    With `jobs` > 1 the rules run in forked workers (rulepool); the findings, in rule order,
    are the same.
    """
    excluded: set[str] = set()
    errors: list[Diagnostic] = []
    indexed = build(frozenset())
    found_by: dict[str, list[Finding]] = {}
    pending = rules
    if jobs > 1 and len(rules) > 1 and rulepool.worth(indexed.project):
        pending, stopped_rules = _pooled(indexed, rules, jobs, found_by)
        errors += stopped_rules
    while True:
        failed: list[tuple[Registered, Exception]] = []
        for rule in pending:
            try:
                found_by[rule.meta.id] = rulepool.findings(rule, indexed.project, indexed.outside)
            except Exception as exc:  # one file's or one rule's failure is not the run's
                failed.append((rule, exc))
        blamed: dict[str, list[tuple[Registered, Exception]]] = {}
        for rule, error in failed:
            path = culprit(error, indexed.project)
            if path is None or path in excluded or len(excluded) >= MAX_EXCLUDED:
                errors.append(stopped(rule.meta.id, error))
            else:
                blamed.setdefault(path, []).append((rule, error))
        if not blamed:
            findings = [f for rule in rules for f in found_by.get(rule.meta.id, [])]
            return findings, indexed.errors + errors + _later_shapes(indexed), indexed
        for path, broken in blamed.items():
            errors += [excluded_file(path, rule.meta.id, error) for rule, error in broken]
        excluded.update(blamed)
        notes, indexed = indexed.notes, build(frozenset(excluded))
        indexed.notes += notes
        pending = [rule for broken in blamed.values() for rule, _ in broken]


def _pooled(
    indexed: Indexed, rules: list[Registered], jobs: int, found_by: dict[str, list[Finding]]
) -> tuple[list[Registered], list[Diagnostic]]:
    """Rules run in workers: the ones to run again here, and the rules whose worker died."""
    try:
        outcomes, note = rulepool.run(indexed.project, indexed.outside, rules, jobs)
    except OSError:  # no processes to be had (limits, sandbox): every rule runs here
        return rules, []
    if note:
        why = "a worker process running rules died; the rules it had not finished ran again"
        indexed.notes.append(Diagnostic(path="rules", message=why))
    project = indexed.project
    again: list[Registered] = []
    errors: list[Diagnostic] = []
    for rule, ran in zip(rules, outcomes, strict=True):
        project.unknown_shapes += ran.shapes
        project.truncated += ran.truncated
        if ran.died:
            errors.append(
                Diagnostic(
                    path=rule.meta.id,
                    kind=ANALYSIS_ERROR,
                    message=f"rule {rule.meta.id} stopped: the worker process running it "
                    "died (out of memory?)",
                )
            )
        elif ran.findings is None:
            again.append(rule)
        else:
            found_by[rule.meta.id] = ran.findings
    return again, errors


def culprit(exc: BaseException, project: Project | None = None) -> str | None:
    """The scanned file that was being analysed when `exc` was raised, if any object says so.

    Innermost frame first: the object closest to the failure is the one it was about.
    """
    known = {m.path for m in project.modules.values()} if project is not None else None
    for frame in reversed(list(_frames(exc.__traceback__))):
        for value in frame.f_locals.values():
            path = _path_of(value)
            if path is not None and (known is None or path in known):
                return path
    return None


def _frames(tb: TracebackType | None) -> Iterator[FrameType]:
    while tb is not None:
        yield tb.tb_frame
        tb = tb.tb_next


def _path_of(value: object) -> str | None:
    if isinstance(value, DynamoCall | FunctionInfo | ClassInfo | ModuleInfo):
        return value.path
    if isinstance(value, Route):
        return value.file
    if isinstance(value, Frame):
        return value.module.path
    return None


def stopped(rule_id: str, exc: BaseException) -> Diagnostic:
    """A rule that failed with no file to blame: it found nothing anywhere."""
    return Diagnostic(
        path=rule_id,
        kind=ANALYSIS_ERROR,
        message=f"rule {rule_id} stopped: {_what(exc)}",
    )


def excluded_file(path: str, what: str, exc: BaseException) -> Diagnostic:
    """A file set aside because analysing it failed; `what` is the rule or the phase."""
    return Diagnostic(
        path=path,
        kind=ANALYSIS_ERROR,
        message=f"{what} could not analyse this file ({_what(exc)}); "
        f"{what} ran on the rest of the project without it",
    )


def _what(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def module_failed(path: str, exc: BaseException) -> Diagnostic:
    """A file whose symbol table could not be built: it is left out of the index."""
    return Diagnostic(path=path, kind=ANALYSIS_ERROR, message=f"not indexed: {_what(exc)}")


def index(  # noqa: PLR0917 (bound with functools.partial; only `excluded` varies)
    modules: Sequence[Prepared],
    infra: Callable[[], IacFacts],  # the IaC files' facts (iac.start)
    config: Config,
    paths: list[Path],
    root: Path,
    found: list[Path],
    excluded: frozenset[str],
) -> Indexed:
    """The linked project of every parsed module but the excluded files (a Build)."""
    from dynaguard.scan import iac
    from dynaguard.scan.context import add_outside

    skip = set(excluded)
    errors: list[Diagnostic] = []
    while True:
        project = Project(config)
        for p in modules:
            if p.rel in skip or p.tree is None:
                continue
            try:
                project.add_module(p.module, p.rel, p.tree)
            except Exception as exc:  # one file's symbol table must not cost the others
                errors.append(module_failed(p.rel, exc))
                skip.add(p.rel)
        kept = [p for p in modules if p.rel not in skip]
        project.iac = iac.with_cdk(infra(), kept)  # CDK stacks are Python modules
        # the scanned code's imports from its own package outside `paths`: context only
        outside = add_outside(project, paths, root, found)
        try:
            project.link()
            break
        except Exception as exc:  # lenient in production: not the user's traceback to read
            blamed = culprit(exc, project)
            if blamed is None or blamed in skip or len(skip) >= MAX_EXCLUDED:
                errors.append(stopped("indexing", exc))
                break
            errors.append(excluded_file(blamed, "indexing", exc))
            skip.add(blamed)
    errors += project.iac.errors
    errors += _shapes(project.unknown_shapes, outside)
    return Indexed(project, outside, errors, len(project.unknown_shapes))


def _shapes(shapes: list[tuple[str, int, str]], outside: set[str]) -> list[Diagnostic]:
    return [
        Diagnostic(path=p, line=ln, kind="unknown-shape", message=m)
        for p, ln, m in dict.fromkeys(shapes)
        if p not in outside
    ]


def _later_shapes(indexed: Indexed) -> list[Diagnostic]:
    """Shapes the rules' queries met after indexing (a request too large to follow), and
    requests whose events were cut: an analysis error, so the run is incomplete. Sorted:
    which rule meets a shape first depends on which rules share a worker's memo tables."""
    project, outside = indexed.project, indexed.outside
    cut = [
        Diagnostic(path=p, line=ln, kind=ANALYSIS_ERROR, message=m)
        for p, ln, m in sorted(set(project.truncated))
        if p not in outside
    ]
    return _shapes(sorted(set(project.unknown_shapes[indexed.shapes :])), outside) + cut
