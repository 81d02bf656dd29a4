"""Given licences only an admin may delete, when probing with root[admin], then root creates them.

Create only what can be removed: after the first trial object shows that only the role
can delete there, every further object is created by the role (and removed by it),
not by an ordinary identity whose objects would depend on someone else to go away.
"""

from __future__ import annotations

from typing import Any

from dynaguard.demo.embedded import EmbeddedDynamoDB
from tests.probe.zoo.apps import licenses_pynamodb
from tests.probe.zoo.conftest import probe_zoo


class Creators:
    """ASGI middleware: who (by Authorization header) sent each POST to a path."""

    def __init__(self, app: Any, path: str) -> None:
        self.app, self.path = app, path
        self.seen: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == self.path:
            headers = dict(scope["headers"])
            self.seen.append(headers.get(b"authorization", b"").decode())
        await self.app(scope, receive, send)


async def test_only_the_role_deletes_so_the_role_creates(
    dynamodb_server: EmbeddedDynamoDB,
) -> None:
    zoo = licenses_pynamodb.make_app(None)
    creators = Creators(zoo.app.app, "/licenses/")
    zoo.app.app = creators
    run = await probe_zoo(zoo, admin=True)
    who = {i.split("=", 1)[1].split(": ", 1)[1]: i.split("=", 1)[0] for i in run.identities}
    names = [who.get(h, "?") for h in creators.seen]
    # The trial object is an ordinary identity's; every later one is root's.
    assert names[0] == "alice", names
    assert len(names) > 1 and set(names[1:]) == {"root[admin]"}, names
    assert run.left_behind == set()
    assert run.result.errors == ()
    assert run.pairs == set()
