"""`python -m dynaguard`: the same CLI as the `dynaguard` console script."""

from __future__ import annotations

from dynaguard.cli.main import entry

if __name__ == "__main__":
    entry()
