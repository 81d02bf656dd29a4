from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOCIAL_", env_file=".env")

    table_name: str = "social-feed"
    aws_region: str = "eu-west-1"
    dynamodb_host: str | None = None

    jwt_issuer: str = "https://auth.example.social/"
    jwt_audience: str = "social-api"
    jwt_public_key_pem: str = ""

    feed_fanout_limit: int = 5000
    page_size: int = 30


@lru_cache
def get_settings() -> Settings:
    return Settings()
