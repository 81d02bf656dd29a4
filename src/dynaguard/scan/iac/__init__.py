"""Infrastructure as code beside the scanned service: the IAM grants DG118 judges.

Formats: CloudFormation and SAM templates (short-form tags included), serverless.yml,
Terraform (`.tf` with python-hcl2 when installed, `.tf.json`), plain IAM policy JSON, and
AWS CDK in Python. Every file is read with the scanner's bounded reader; a file that
looks like IaC but cannot be read becomes a diagnostic, anything else is ignored.
"""

from __future__ import annotations

import ast
import json
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Protocol

from dynaguard.core import suppressions
from dynaguard.core.findings import Finding
from dynaguard.core.result import Diagnostic
from dynaguard.scan.files import discover as discover_files
from dynaguard.scan.files import read
from dynaguard.scan.iac.gateway import GatewayRoute
from dynaguard.scan.iac.model import IacFacts, Managed, Statement

__all__ = [
    "SUFFIXES",
    "IacFacts",
    "Managed",
    "Statement",
    "candidate",
    "discover",
    "read_all",
    "read_files",
    "start",
    "suppress",
    "with_cdk",
]


class Module(Protocol):
    """A parsed Python module as the engine holds it (CDK stacks are read from these)."""

    rel: str
    tree: ast.Module | None
    imports: list[str]


SUFFIXES = (".yaml", ".yml", ".json", ".tf")
MAX_DATA_BYTES = 1_000_000  # a larger JSON/YAML file is data, not a template
PARSERS = {"hcl2": "python-hcl2", "yaml": "PyYAML"}  # module -> the package to install
# what a YAML template, serverless.yml or policy must contain (cheap tests before parsing)
YAML_HINTS = (
    ("AWSTemplateFormatVersion",),
    ("Resources", "AWS::"),
    ("provider", "service"),
    ("Statement", "Effect"),
)


def candidate(path: Path) -> bool:
    """A file the IaC readers may want (decided on its content when read)."""
    return path.suffix in SUFFIXES


def discover(
    paths: Sequence[Path], exclude: Sequence[str], root: Path, errors: list[Diagnostic]
) -> tuple[list[Path], list[Path]]:
    """(Python files, IaC candidates) under `paths`, in one walk."""
    found = list(discover_files(paths, exclude, root, errors, (".py", *SUFFIXES)))
    return [p for p in found if not candidate(p)], [p for p in found if candidate(p)]


def suppress(
    by_path: dict[str, list[Finding]], comments: dict[str, str]
) -> tuple[list[Finding], int, list[Diagnostic]]:
    """Apply `# dynaguard: ignore[...]` marks of IaC files to their findings (taken out of
    `by_path`): the kept ones, how many were dropped, problems and unused marks."""
    kept: list[Finding] = []
    dropped = 0
    notes: list[Diagnostic] = []
    for rel, text in comments.items():
        marks, problems = suppressions.parse(text, rel)
        left, n, unused = suppressions.apply(by_path.pop(rel, []), marks, rel)
        kept, dropped, notes = kept + left, dropped + n, notes + problems + unused
    return kept, dropped, notes


def read_all(paths: Sequence[Path], root: Path, modules: Sequence[Module] = ()) -> IacFacts:
    """Read every IaC file (and CDK module); unreadable IaC becomes `errors`."""
    return with_cdk(read_files(paths, root), modules)


def start(paths: Sequence[Path], root: Path, jobs: int) -> Callable[[], IacFacts]:
    """`read_files`, in a forked process when `jobs` > 1: Terraform and YAML parse there
    while this process indexes the Python files. Call the result for the facts."""
    if jobs <= 1 or not paths:
        return partial(read_files, paths, root)
    try:
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
        future = pool.submit(read_files, list(paths), root)
    except OSError:  # no processes to be had: read them here when asked
        return partial(read_files, paths, root)
    found: list[IacFacts] = []

    def result() -> IacFacts:
        if not found:
            try:
                found.append(future.result())
            except Exception:  # the worker died: read them here, as without workers
                found.append(read_files(paths, root))
            finally:
                pool.shutdown()
        return found[0]

    return result


def read_files(paths: Sequence[Path], root: Path) -> IacFacts:
    """The IaC files' facts (no CDK: those are Python modules, read by `with_cdk`)."""
    facts = IacFacts()
    skipped: dict[str, list[str]] = {}  # missing parser module -> files it would have read
    for path in paths:
        try:
            if path.stat().st_size > MAX_DATA_BYTES and path.suffix != ".tf":
                continue
        except OSError:
            continue
        src = read(path, root)
        if src.text is None:
            if src.error is not None and path.suffix == ".tf":
                facts.errors.append(src.error)
            continue
        try:
            found = _read(path, src.rel, src.text)
        except ImportError as exc:  # the optional parsers: python-hcl2, PyYAML
            skipped.setdefault(exc.name or "?", []).append(src.rel)
            continue
        except Exception as exc:  # a malformed template is one file's problem, never the scan's
            facts.errors.append(
                Diagnostic(path=src.rel, message=f"cannot read IaC: {type(exc).__name__}: {exc}")
            )
            continue
        if found is not None:
            lines = src.text.splitlines()
            if "dynaguard:" in src.text:
                facts.comments[src.rel] = "\n".join(_comment(line) for line in lines) + "\n"
            facts.files += 1
            facts.statements += [replace(x, column=_start(lines, x.line)) for x in found[0]]
            facts.managed += [replace(x, column=_start(lines, x.line)) for x in found[1]]
            facts.env_tables.update(found[2])
            facts.gateway += found[3]
    for module, rels in sorted(skipped.items()):
        package = PARSERS.get(module, module)
        facts.errors.append(
            Diagnostic(
                path=rels[0],
                message=f"skipped {len(rels)} IaC file(s) ({', '.join(rels[:3])}): {package} is "
                "not installed (pip install 'dynaguard[iac]')",
            )
        )
    return facts


def with_cdk(files: IacFacts, modules: Sequence[Module]) -> IacFacts:
    """The IaC files' facts (left as they are) and the CDK modules' among `modules`."""
    from dynaguard.scan.iac import cdk

    facts = replace(
        files,
        statements=list(files.statements),
        managed=list(files.managed),
        errors=list(files.errors),
        env_tables=dict(files.env_tables),
        comments=dict(files.comments),
    )
    for mod in modules:
        if mod.tree is None or not any("aws_cdk" in i for i in mod.imports):
            continue
        stmts, managed = cdk.read(mod.tree, mod.rel)
        facts.env_tables.update(cdk.environment(mod.tree))
        facts.files += bool(stmts or managed)
        facts.statements += stmts
        facts.managed += managed
    return facts


def _comment(line: str) -> str:
    """A YAML/HCL line's `#` comment (a `#` at the start or after a space), else ''."""
    at = 0 if line.lstrip().startswith("#") else line.find(" #") + 1
    return line[at:].strip() if at or line.lstrip().startswith("#") else ""


def _start(lines: list[str], line: int) -> int:
    """The 1-based column of the first character written on a line (1 when out of range)."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return len(text) - len(text.lstrip()) + 1


# + env var -> table, and the API Gateway routes
Grants = tuple[list[Statement], list[Managed], dict[str, str], list[GatewayRoute]]


def _read(path: Path, rel: str, text: str) -> Grants | None:
    """The grants of one file; None when it is not IaC at all."""
    from dynaguard.scan.iac import cloudformation, gateway, located, terraform

    name = path.name
    if name.endswith((".tf", ".tf.json")):
        tf = terraform.load_tf(text) if name.endswith(".tf") else terraform.load_tf_json(text)
        return (*terraform.read(tf, text, rel), terraform.environment(tf, text), [])
    if path.suffix == ".json":
        # the C parser rejects the many JSON files that are data, not IaC, in a blink
        try:
            plain = json.loads(text)
        except ValueError:
            return None
        if not (
            isinstance(plain, dict) and ("Statement" in plain or cloudformation.is_template(plain))
        ):
            return None
        docs = [located.load_json(text)]
    elif any(all(h in text for h in hints) for hints in YAML_HINTS):
        docs = located.load_yaml(text)
    else:
        return None
    stmts: list[Statement] = []
    managed: list[Managed] = []
    env: dict[str, str] = {}
    routes: list[GatewayRoute] = []
    seen = False
    for doc in docs:
        if cloudformation.is_template(doc):
            assert isinstance(doc, dict)
            s, m = cloudformation.read(doc, rel)
            env.update(cloudformation.environment(doc))
            routes += gateway.routes(doc, rel)
        elif isinstance(doc, dict) and ("Statement" in doc):
            from dynaguard.scan.iac.policy import Reader

            s, m = list(Reader(rel, "policy").document(doc)), []
        else:
            continue
        seen = True
        stmts += s
        managed += m
    return (stmts, managed, env, routes) if seen else None
