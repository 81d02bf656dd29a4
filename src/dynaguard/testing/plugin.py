"""The dynaguard pytest plugin, loaded through the `pytest11` entry point `dynaguard`.

Fixtures: `dynaguard_probe` and `dynaguard_probe_async` (dynaguard.testing.probe).
"""

from __future__ import annotations

# Fixtures defined in sibling modules join the plugin by being imported here.
from dynaguard.testing.probe import dynaguard_probe_async_fixture, dynaguard_probe_fixture

__all__ = ["dynaguard_probe_async_fixture", "dynaguard_probe_fixture"]
