"""PynamoDB indexes: the index class an attribute of a model declares, and the model an
index class is declared on."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from dynaguard.scan.model import ClassRef

if TYPE_CHECKING:
    from dynaguard.scan.protocols import Project


def model_index(p: Project, model: str, attr: str) -> str | None:
    """A PynamoDB model's index attribute (`by_owner = OwnerIndex()`): the index class."""
    for cls in p.mro(model):
        value = cls.fields.get(attr)
        if not isinstance(value, ast.Call):
            continue
        sym = p.resolve_expr(value.func, p.modules[cls.module])
        if isinstance(sym, ClassRef) and any(
            b.endswith(("GlobalSecondaryIndex", "LocalSecondaryIndex"))
            for c in p.mro(sym.qualname)
            for b in c.bases
        ):
            return sym.qualname
    return None


def index_owner(p: Project, index: str) -> str | None:
    """The model a PynamoDB index class is declared on (itself when on none), else None."""
    written = {b for c in p.mro(index) for b in c.bases}
    if not any(b.startswith("pynamodb.indexes.") for b in written):
        return None
    for cls in sorted(p.classes.values(), key=lambda c: c.qualname):
        for value in cls.fields.values() if cls.is_pynamodb else ():
            if isinstance(value, ast.Call):
                made = p.resolve_expr(value.func, p.modules[cls.module])
                if isinstance(made, ClassRef) and made.qualname == index:
                    return cls.qualname
    return index


def pynamo_keys(project: Project, model: str) -> list[str]:
    """A PynamoDB model's hash and range key attribute names, in that order."""
    found: dict[str, str] = {}
    for cls in project.mro(model):
        for kind in ("hash_key", "range_key"):  # dyntastic: `__hash_key__ = "slug"`
            value = cls.fields.get(f"__{kind}__")
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found.setdefault(kind, value.value)
        for name, value in cls.fields.items():
            if isinstance(value, ast.Call):
                for kw in value.keywords:
                    is_true = isinstance(kw.value, ast.Constant) and kw.value.value is True
                    if kw.arg in ("hash_key", "range_key") and is_true:
                        found.setdefault(kw.arg, name)
    return [found[k] for k in ("hash_key", "range_key") if k in found]
