"""Planted-bug FastAPI apps the prober's tests run against (data, not tests)."""
