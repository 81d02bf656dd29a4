"""dynaguard.testing: pytest support (the `dynaguard` pytest11 plugin and its fixtures)."""

from __future__ import annotations
