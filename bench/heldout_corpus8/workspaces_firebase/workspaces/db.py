"""One table: PK=ORG#<org_id>, SK=META | MEMBER#<uid> | INVITE#<token> | DOC#<doc_id>."""
from datetime import datetime, timezone
from functools import lru_cache

import boto3
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    table_name: str = "workspaces"
    aws_region: str = "eu-west-1"
    firebase_project_id: str = "acme-workspaces"
    invite_ttl_hours: int = 72


@lru_cache
def get_settings() -> Settings:
    return Settings()


@lru_cache
def get_table():
    settings = get_settings()
    resource = boto3.resource("dynamodb", region_name=settings.aws_region)
    return resource.Table(settings.table_name)


def org_pk(org_id: str) -> str:
    return f"ORG#{org_id}"


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
