from functools import lru_cache

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    aws_region: str = "us-east-1"
    table_prefix: str = "polls-dev"
    auth0_domain: str = "polls.eu.auth0.com"
    auth0_audience: str = "https://api.polls.example"
    create_tables: bool = False


@lru_cache
def get_settings() -> Settings:
    return Settings()
