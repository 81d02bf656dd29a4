"""`[tool.dynaguard]` configuration from pyproject.toml (or a file given with --config)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from dynaguard.core.fileio import read_capped
from dynaguard.core.findings import Severity

MAX_CONFIG_BYTES = 4 << 20  # a pyproject.toml is kilobytes; a FIFO or /dev/zero is never read


class ConfigError(Exception):
    """The configuration cannot be used; the message says what to change."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """Settings every engine may read. Defaults apply when a key is absent."""

    source: Path | None = None
    exclude: tuple[str, ...] = ()
    auth_dependencies: tuple[str, ...] = ()
    admin_dependencies: tuple[str, ...] = ()  # restrict a route to administrators, code unread
    admin_scopes: tuple[str, ...] = ()  # Security(..., scopes=[...]) only administrators hold
    owner_attributes: tuple[str, ...] = ()
    server_fields: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, Severity] = field(default_factory=dict)
    fail_on: Severity | None = None
    min_severity: Severity | None = None
    max_file_bytes: int | None = None  # the scanner skips larger files (default 1 MiB)

    def enabled(self, rule_id: str) -> bool:
        """Whether a rule runs: `select` (when given) minus `ignore`."""
        if self.select and not any(rule_id.startswith(s) for s in self.select):
            return False
        return not any(rule_id.startswith(i) for i in self.ignore)


_LISTS = (
    "exclude",
    "auth_dependencies",
    "admin_dependencies",
    "admin_scopes",
    "owner_attributes",
    "server_fields",
    "select",
)
_KNOWN = {*_LISTS, "ignore", "disable", "severity", "fail_on", "min_severity", "max_file_bytes"}
MAX_FILE_CAP = 64 << 20  # a syntax tree of 64 MiB of source is ~10 GB already


def discover(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start` that has a [tool.dynaguard] table.

    Only the first pyproject.toml found counts (it marks the project root). One that cannot
    be read or parsed is an error when it could hold our table, never silently skipped.
    """
    here = start.resolve()
    for d in [here, *here.parents] if here.is_dir() else list(here.parents):
        candidate = d / "pyproject.toml"
        if candidate.is_file():
            tool = _read(candidate, strict="dynaguard").get("tool")
            return candidate if isinstance(tool, dict) and "dynaguard" in tool else None
    return None


def _read(path: Path, *, strict: str | None = None) -> dict[str, object]:
    """Parse a TOML file; with `strict`, a broken file is only an error if it mentions it."""
    try:
        text = read_capped(path, MAX_CONFIG_BYTES).decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"config {path} is a directory; give a TOML file") from None
    except OSError as exc:  # InputError: a FIFO, a device, a file over the cap
        raise ConfigError(f"cannot read config {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"cannot read config {path}: not UTF-8 text") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        if strict is not None and strict not in text:
            return {}
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def load(path: Path) -> Config:
    """Read `[tool.dynaguard]` from a pyproject.toml, or a whole dynaguard TOML file."""
    doc = _read(path)
    tool = doc.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: [tool] must be a table")
    if "dynaguard" in tool:
        table = tool["dynaguard"]
    elif path.name == "pyproject.toml":
        raise ConfigError(f"{path} has no [tool.dynaguard] table")
    else:
        table = doc
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.dynaguard] must be a table")
    return from_table(table, path)


def from_table(table: dict[str, object], source: Path | None = None) -> Config:
    """Validate a parsed `[tool.dynaguard]` table."""
    where = f"{source}: " if source else ""
    unknown = sorted(set(table) - _KNOWN)
    if unknown:
        raise ConfigError(f"{where}unknown [tool.dynaguard] key(s): {', '.join(unknown)}")
    lists: dict[str, tuple[str, ...]] = {}
    for key in (*_LISTS, "ignore", "disable"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}{key} must be a list of strings")
        lists[key] = tuple(value)
    severity: dict[str, Severity] = {}
    overrides = table.get("severity", {})
    if not isinstance(overrides, dict):
        raise ConfigError(f'{where}severity must be a table of RULE = "level"')
    for rule_id, level in overrides.items():
        severity[str(rule_id).upper()] = _severity(level, f"{where}severity.{rule_id}")
    return Config(
        source=source,
        exclude=lists["exclude"],
        auth_dependencies=lists["auth_dependencies"],
        admin_dependencies=lists["admin_dependencies"],
        admin_scopes=lists["admin_scopes"],
        owner_attributes=lists["owner_attributes"],
        server_fields=lists["server_fields"],
        select=tuple(s.upper() for s in lists["select"]),
        ignore=tuple(s.upper() for s in (*lists["ignore"], *lists["disable"])),
        severity=severity,
        fail_on=_severity(table["fail_on"], f"{where}fail_on") if "fail_on" in table else None,
        max_file_bytes=_size(table.get("max_file_bytes"), f"{where}max_file_bytes"),
        min_severity=(
            _severity(table["min_severity"], f"{where}min_severity")
            if "min_severity" in table
            else None
        ),
    )


def _size(value: object, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_FILE_CAP:
        raise ConfigError(f"{what} must be a whole number of bytes, 1 to {MAX_FILE_CAP}")
    return value


def _severity(value: object, what: str) -> Severity:
    if not isinstance(value, str):
        raise ConfigError(f"{what} must be a severity name")
    try:
        return Severity.parse(value)
    except ValueError as exc:
        raise ConfigError(f"{what}: {exc}") from None
