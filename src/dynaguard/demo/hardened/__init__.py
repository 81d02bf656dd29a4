"""The hardened demo app: the vulnerable app's paths and methods, built on dynaguard.guard."""
