"""dynaguard.testing: pytest support for services built on dynaguard.

`plugin` is a pytest plugin, registered as the `dynaguard` `pytest11` entry point so it loads
by itself once dynaguard is installed. Its fixtures: `dynaguard_dynamodb` (an embedded
DynamoDB on 127.0.0.1, empty at the start of every test) and `dynaguard_probe` /
`dynaguard_probe_async` (probe an ASGI app in-process, `dynaguard.testing.probe`).
"""

from __future__ import annotations
