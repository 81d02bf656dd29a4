"""Command line: argument parsing and wiring only; the one layer that imports all others."""
