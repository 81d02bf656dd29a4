"""Find the dynaguard.guard names a text mentions and say which are not public APIs that exist.

A text is prose with fenced code blocks. Python blocks are parsed: imports from
dynaguard.guard, and attributes of what they bind (`items = OwnedTable(...)` then
`items.update`), must resolve. In prose, a name counts as a guard reference when it is
dotted under `dynaguard.guard`, when it follows "guard library's" / "guard library:", or when
the guard package defines it at module level (private modules included: naming an internal
class is exactly the mistake to catch).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import re
import textwrap
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import get_type_hints

PACKAGE = "dynaguard.guard"
# Submodules documented as import paths of their own (the rest are internal).
PUBLIC_SUBMODULES = ("fastapi", "models")

FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.S | re.M)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
DOTTED = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
LEADING = re.compile(rf"\s*({DOTTED})")
# "the guard library's `Expr`", "(guard library: ServerFields)"
AFTER_PHRASE = re.compile(rf"guard library(?:'s|:)\s+`?({DOTTED})")
CAMEL = re.compile(r"^[A-Z][a-z0-9]+[A-Z]\w*$")


def _public_module(name: str) -> ModuleType:
    return importlib.import_module(name)


@cache
def exported() -> dict[str, object]:
    """Every public guard name: the package's `__all__` and the public submodules' own names."""
    package = _public_module(PACKAGE)
    names = {n: getattr(package, n) for n in package.__all__}
    for sub in PUBLIC_SUBMODULES:
        module = _public_module(f"{PACKAGE}.{sub}")
        own = getattr(module, "__all__", None) or [
            n
            for n, v in vars(module).items()
            if not n.startswith("_") and getattr(v, "__module__", None) == module.__name__
        ]
        names.update({n: getattr(module, n) for n in own})
        names[sub] = module
    return names


@cache
def defined_in_guard() -> frozenset[str]:
    """Module-level names the guard package's source defines, public or not."""
    root = Path(_public_module(PACKAGE).__file__ or "").parent
    names: set[str] = set()
    for path in root.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return frozenset(n for n in names if not n.startswith("__"))


@cache
def method_names() -> frozenset[str]:
    """Public attribute names of the exported classes (`get`, `batch_get`, `results`...)."""
    names: set[str] = set()
    for value in exported().values():
        if isinstance(value, type):
            names.update(n for n in dir(value) if not n.startswith("_"))
            names.update(n for n in _instance_attrs(value) if not n.startswith("_"))
    return frozenset(names)


def _instance_attrs(cls: type) -> set[str]:
    """Attributes an instance has that the class may not: annotations and `self.x = ...`."""
    attrs: set[str] = set()
    for klass in cls.__mro__:
        attrs.update(getattr(klass, "__annotations__", {}))
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        except (OSError, TypeError, SyntaxError):
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id == "self"
            ):
                attrs.add(node.attr)
    return attrs


def attribute(owner: object, name: str) -> tuple[bool, object]:
    """(exists and is public, the value or None) for `owner.name`."""
    if name.startswith("_"):
        return False, None
    if hasattr(owner, name):
        return True, getattr(owner, name)
    return isinstance(owner, type) and name in _instance_attrs(owner), None


def resolve(dotted: str) -> str | None:
    """None when `dotted` names a public guard API; else why not."""
    parts = dotted.split(".")
    if dotted.startswith(PACKAGE + "."):
        parts = parts[2:]
        if parts and parts[0] in PUBLIC_SUBMODULES and len(parts) > 1:
            module = _public_module(f"{PACKAGE}.{parts[0]}")
            if parts[1] not in exported() or exported()[parts[1]] is not getattr(
                module, parts[1], None
            ):
                return f"{parts[1]} is not a public name of {PACKAGE}.{parts[0]}"
            parts = parts[1:]
    if not parts:
        return None
    if len(parts) == 1 and parts[0] in method_names():
        return None  # `batch_get`: a public method of an exported class, named alone
    if parts[0] not in exported():
        if dotted.startswith(PACKAGE + ".") and importlib.util.find_spec(f"{PACKAGE}.{parts[0]}"):
            return f"{PACKAGE}.{parts[0]} is an internal module"
        return f"{parts[0]} is not exported by {PACKAGE}"
    value: object = exported()[parts[0]]
    for i, name in enumerate(parts[1:], 1):
        ok, value = attribute(value, name)
        if not ok:
            return f"{'.'.join(parts[:i])} has no public attribute {name}"
        if value is None:
            break
    return None


def _returns(function: object) -> object:
    """The class a function or method is annotated to return, if it is a class."""
    try:
        hint = get_type_hints(function).get("return")
    except Exception:
        return None
    return hint if isinstance(hint, type) else None


class _CodeRefs(ast.NodeVisitor):
    """Guard references in one Python code block, as (dotted text, reason or None)."""

    def __init__(self) -> None:
        self.bound: dict[str, tuple[str, object]] = {}  # local name -> (dotted, value)
        self.factories: dict[str, tuple[str, object]] = {}  # function -> class it returns
        self.found: list[tuple[str, str | None]] = []

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if module != PACKAGE and not module.startswith(PACKAGE + "."):
            return
        for alias in node.names:
            dotted = f"{module}.{alias.name}"
            why = resolve(dotted)
            self.found.append((dotted, why))
            if why is None:
                self.bound[alias.asname or alias.name] = (alias.name, exported()[alias.name])

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        # Parameters annotated with a guard class (or an alias of Annotated[cls, ...]), and
        # factories whose return annotation is one, bind what they hold.
        for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
            value = self._value(arg.annotation) if arg.annotation is not None else None
            if value is not None and isinstance(value[1], type):
                self.bound[arg.arg] = value
        returns = self._value(node.returns) if node.returns is not None else None
        if returns is not None and isinstance(returns[1], type):
            self.factories[node.name] = returns
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        value = self._value(node.value)
        for target in node.targets:
            if isinstance(target, ast.Name) and value is not None:
                self.bound[target.id] = value

    def visit_withitem(self, node: ast.withitem) -> None:
        self.generic_visit(node)
        value = self._value(node.context_expr)
        if isinstance(node.optional_vars, ast.Name) and value is not None:
            self.bound[node.optional_vars.id] = value

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.generic_visit(node)
        self._value(node)

    def _value(self, node: ast.expr) -> tuple[str, object] | None:
        """What a guard expression evaluates to: a class for instances, as far as known."""
        if isinstance(node, ast.Await):
            return self._value(node.value)
        if isinstance(node, ast.Name):
            return self.bound.get(node.id)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            if node.value.id == "Annotated" and isinstance(node.slice, ast.Tuple):
                return self._value(node.slice.elts[0])  # Annotated[OwnedTable, Depends(...)]
            return None
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id in self.factories:
                return self.factories[node.func.id]
            base = self._value(node.func)
            if base is None:
                return None
            value = base[1] if isinstance(base[1], type) else _returns(base[1])
            return (base[0], value) if value is not None else None
        if isinstance(node, ast.Attribute):
            base = self._value(node.value)
            if base is None or base[1] is None:
                return None
            dotted = f"{base[0]}.{node.attr}"
            ok, value = attribute(base[1], node.attr)
            if not ok:
                self.found.append((dotted, f"{base[0]} has no public attribute {node.attr}"))
                return None
            self.found.append((dotted, None))
            return (dotted, value) if value is not None else None
        return None


def _prose_refs(prose: str) -> Iterator[str]:
    spans = CODE_SPAN.findall(prose)
    for span in spans:
        m = LEADING.match(span)
        if m and _looks_guard(m.group(1), quoted=True):
            yield m.group(1)
    bare = CODE_SPAN.sub(" ", prose)
    for m in re.finditer(DOTTED, bare):
        if _looks_guard(m.group(0), quoted=False):
            yield m.group(0)
    for m in AFTER_PHRASE.finditer(prose):
        name = m.group(1)
        if "." in name or "_" in name or name[0].isupper():
            yield name


def _looks_guard(dotted: str, *, quoted: bool) -> bool:
    if dotted.startswith(PACKAGE + "."):
        return True
    head = dotted.split(".", maxsplit=1)[0]
    if head in exported():
        return quoted or bool(CAMEL.match(head)) or "_" in head.strip("_")
    if head not in defined_in_guard():
        return False
    # An internal name counts when it cannot be another library's or English: `GuardedTable`,
    # `plan_update`. `Query()` or "Plan" alone are FastAPI's or a word (the phrase "guard
    # library's `Expr`" still catches a single word meant as the guard's).
    return bool(CAMEL.match(head)) or "_" in head.strip("_")


def problems(text: str) -> list[str]:
    """Each guard reference in `text` that does not resolve, with the reason."""
    found: list[tuple[str, str | None]] = []
    prose = text
    for m in FENCE.finditer(text):
        lang, body = m.group(1), m.group(2)
        if lang in ("python", "py"):
            try:
                tree = ast.parse(body)
            except SyntaxError:
                continue  # a fragment: the prose scan below still reads it
            visitor = _CodeRefs()
            visitor.visit(tree)
            found += visitor.found
            prose = prose.replace(m.group(0), "")
    found += [(ref, resolve(ref)) for ref in _prose_refs(prose)]
    seen: dict[str, str] = {}
    for ref, why in found:
        if why is not None:
            seen.setdefault(ref, why)
    return [f"`{ref}`: {why}" for ref, why in seen.items()]
