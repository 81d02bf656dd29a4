import os
from typing import AsyncIterator

import aioboto3

REGION = os.environ.get("AWS_REGION", "us-east-1")
ENDPOINT = os.environ.get("DYNAMODB_ENDPOINT")

USERS_TABLE = os.environ.get("USERS_TABLE", "teams-users")
TEAMS_TABLE = os.environ.get("TEAMS_TABLE", "teams-teams")
MEMBERSHIPS_TABLE = os.environ.get("MEMBERSHIPS_TABLE", "teams-memberships")
INVITES_TABLE = os.environ.get("INVITES_TABLE", "teams-invites")

session = aioboto3.Session(region_name=REGION)


async def get_ddb() -> AsyncIterator:
    async with session.client("dynamodb", endpoint_url=ENDPOINT) as client:
        yield client
