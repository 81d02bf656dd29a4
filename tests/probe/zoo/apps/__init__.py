"""Planted-bug APIs in several styles (each with a clean twin), for the prober's zoo tests."""
