import os

import boto3
from fastapi import HTTPException

_dynamodb = boto3.resource("dynamodb", region_name=os.environ.get("AWS_REGION", "eu-west-1"))

TABLES = {
    "notes": _dynamodb.Table(os.environ.get("NOTES_TABLE", "notes")),
    "tasks": _dynamodb.Table(os.environ.get("TASKS_TABLE", "tasks")),
    "files": _dynamodb.Table(os.environ.get("FILES_TABLE", "files")),
}
users = _dynamodb.Table(os.environ.get("USERS_TABLE", "users"))
shares = _dynamodb.Table(os.environ.get("SHARES_TABLE", "shares"))

OWNER_INDEX = "owner_id-updated_at-index"


def table_for(kind: str):
    table = TABLES.get(kind)
    if table is None:
        raise HTTPException(status_code=404, detail="Unknown resource kind")
    return table
