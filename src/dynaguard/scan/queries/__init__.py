"""Shared rule queries by topic (folded into the query API; see QUERY_API.md)."""
