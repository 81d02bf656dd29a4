"""dynaguard: find and prevent integrity failures in FastAPI + DynamoDB services."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
