"""The deliberately vulnerable demo app: every planted flaw is marked (expect DGxxx) in its source.

Do not copy this code. Its hardened twin is `dynaguard.demo.hardened`.
"""
