from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HELPDESK_", env_file=".env")

    region: str = "eu-west-1"
    dynamodb_endpoint: str | None = None
    tickets_table: str = "helpdesk-tickets"
    comments_table: str = "helpdesk-comments"
    agents_table: str = "helpdesk-agents"
    audit_table: str = "helpdesk-audit"
    jwt_secret: str = "change-me"
    jwt_audience: str = "helpdesk-api"
    jwt_issuer: str = "https://login.example.com/"


@lru_cache
def get_settings() -> Settings:
    return Settings()
