"""`dynaguard rules`: list every registered rule and probe (text or JSON); write the docs pages."""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import sys

from dynaguard.cli.common import EXIT_OK, UsageError, emit
from dynaguard.core.findings import EngineKind
from dynaguard.core.registry import RuleMeta, all_rules, get_rule


def load_registry(*, probes: bool = True) -> None:
    """Import the rule (and probe) packages so that every rule registers itself."""
    import dynaguard.scan.rules  # importing registers the rules

    if not probes:  # `scan` needs only the static rules, and starts faster without httpx
        return
    # The prober is optional (its package may be absent); its probes register on import.
    with contextlib.suppress(ImportError):
        import dynaguard.probe.probes  # noqa: F401


def registered(engine: EngineKind | None = None) -> list[RuleMeta]:
    """Metadata of every registered rule (after load_registry), in id order."""
    return [r.meta for r in all_rules(engine)]


def resolve(token: str) -> RuleMeta:
    """A rule by id or name (case-insensitive); UsageError with the closest ids otherwise."""
    hit = get_rule(token.strip())
    if hit is not None:
        return hit.meta
    metas = registered()
    named = [m for m in metas if m.name == token.strip().lower()]
    if len(named) == 1:
        return named[0]
    if named:  # a static rule and a probe may share a name (DG105 and DG204)
        raise UsageError(f"{token!r} names {', '.join(m.id for m in named)}; give the id")
    raise UsageError(f"unknown rule {token!r}{suggest(token, metas)}")


def expand(
    tokens: tuple[str, ...] | list[str], what: str, *, engine: EngineKind | None = None
) -> tuple[str, ...]:
    """Rule ids from ids, id prefixes (DG1) or names; UsageError naming `what` otherwise.

    With `engine`, ids of the other engine are only checked for shape (a shared config
    may ignore probes that a scan never loads).
    """
    metas = registered()
    other = {EngineKind.STATIC: "DG2", EngineKind.PROBE: "DG1"}.get(engine) if engine else None
    out: list[str] = []
    for token in tokens:
        key = token.strip().upper()
        by_name = [
            m.id
            for m in metas
            if m.name == token.strip().lower() and (engine is None or m.engine is engine)
        ]
        if by_name:
            out += by_name
            continue
        shaped = key.startswith("DG") and key[2:].isdigit() and len(key) <= 5
        known = any(m.id.startswith(key) for m in metas)
        if not shaped or not (known or (other and key.startswith(other))):
            raise UsageError(f"unknown rule {token!r} in {what}{suggest(token, metas)}")
        out.append(key)
    return tuple(dict.fromkeys(out))


def suggest(token: str, metas: list[RuleMeta]) -> str:
    """'; did you mean DG103, DG113?' for the closest ids and names, or a pointer to the list."""
    words = [m.id for m in metas] + [m.name for m in metas]
    close = difflib.get_close_matches(token.strip().upper(), [m.id for m in metas], n=3, cutoff=0.5)
    close += difflib.get_close_matches(token.strip().lower(), words, n=3, cutoff=0.6)
    ids = list(dict.fromkeys(_id_of(c, metas) for c in close))[:3]
    if ids:
        return f"; did you mean {', '.join(ids)}?"
    return "; run `dynaguard rules` for the list" if metas else " (no rules are registered)"


def _id_of(word: str, metas: list[RuleMeta]) -> str:
    return next((m.id for m in metas if word in (m.id, m.name)), word)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of `dynaguard rules`."""
    parser.add_argument("--format", default="text", help="text (default) or json")
    parser.add_argument(
        "--engine", default=None, help="only 'static' rules (DG1xx) or 'probe' probes (DG2xx)"
    )
    parser.add_argument(
        "--write-docs",
        metavar="DIR",
        default=None,
        help="(re)generate the rule pages in DIR (the project keeps them in docs/rules)",
    )


def run(args: argparse.Namespace) -> int:
    """List the rules, or write the docs pages."""
    fmt = str(args.format).lower()
    if fmt not in ("text", "json"):
        raise UsageError(f"--format must be text or json, not {args.format!r}")
    engine = _engine(args.engine)
    load_registry()
    metas = registered(engine)
    if args.write_docs is not None:
        return _write_docs(args.write_docs)
    if fmt == "json":
        emit(json.dumps([_row(m) for m in metas], indent=2, ensure_ascii=False) + "\n")
    else:
        emit(table(metas))
    return EXIT_OK


def _engine(text: str | None) -> EngineKind | None:
    if text is None:
        return None
    try:
        return EngineKind(text.lower())
    except ValueError:
        raise UsageError(f"--engine must be static or probe, not {text!r}") from None


def _write_docs(directory: str) -> int:
    from pathlib import Path

    from dynaguard.report import docs

    target = Path(directory)
    if target.exists() and not target.is_dir():
        raise UsageError(f"--write-docs {directory} is not a directory")
    try:
        names = docs.write(target, registered())
    except OSError as exc:
        raise UsageError(f"cannot write {directory}: {exc.strerror or exc}") from None
    print(f"wrote {len(names)} pages to {directory}", file=sys.stderr)
    return EXIT_OK


def _row(m: RuleMeta) -> dict[str, str | None]:
    return {
        "id": m.id,
        "name": m.name,
        "engine": m.engine.value,
        "severity": m.severity.value,
        "confidence": m.confidence.value,
        "owasp_api": m.owasp_api,
        "cwe": m.cwe,
        "title": m.title,
        "fix": m.fix,
    }


def table(metas: list[RuleMeta]) -> str:
    """Aligned plain-text columns: id, name, severity, OWASP, title."""
    if not metas:
        return "no rules registered\n"
    rows = [("ID", "NAME", "SEVERITY", "OWASP", "TITLE")]
    rows += [(m.id, m.name, m.severity.value, m.owasp_api or "-", m.title) for m in metas]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "".join(
        "  ".join(cell.ljust(w) for cell, w in zip(r[:4], widths, strict=True)) + "  " + r[4] + "\n"
        for r in rows
    )
