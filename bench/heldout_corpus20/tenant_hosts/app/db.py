from contextlib import AsyncExitStack, asynccontextmanager
from functools import lru_cache

import aioboto3
from fastapi import FastAPI, Request
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRACKER_", env_file=".env")

    table_name: str = "tracker-main"
    root_domain: str = "tracker.example.com"
    aws_region: str = "eu-west-1"
    dynamodb_endpoint: str | None = None


@lru_cache
def get_settings() -> Settings:
    return Settings()


def pk(tenant: str) -> str:
    return f"TENANT#{tenant}"


def project_sk(project_id: str) -> str:
    return f"PROJECT#{project_id}"


def task_sk(project_id: str, task_id: str) -> str:
    return f"TASK#{project_id}#{task_id}"


@asynccontextmanager
async def lifespan(app: FastAPI):
    settings = get_settings()
    session = aioboto3.Session()
    async with AsyncExitStack() as stack:
        dynamodb = await stack.enter_async_context(
            session.resource(
                "dynamodb",
                region_name=settings.aws_region,
                endpoint_url=settings.dynamodb_endpoint,
            )
        )
        app.state.dynamodb = dynamodb
        app.state.table = await dynamodb.Table(settings.table_name)
        yield


def get_table(request: Request):
    return request.app.state.table
