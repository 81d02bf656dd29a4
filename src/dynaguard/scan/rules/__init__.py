"""Static rules, one module each; importing this package registers them all."""

from __future__ import annotations

import importlib
import pkgutil

# Every dgNNN_*.py module here is a rule: import them all so the registry knows them,
# and a new rule needs no edit of this file.
for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name.startswith("dg"):
        importlib.import_module(f"{__name__}.{_info.name}")
