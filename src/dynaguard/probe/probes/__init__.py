"""The probes, one module each; importing this package registers them all."""

from __future__ import annotations

import importlib
import pkgutil

__all__: list[str] = []

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name.startswith("dg"):
        importlib.import_module(f"{__name__}.{_info.name}")
