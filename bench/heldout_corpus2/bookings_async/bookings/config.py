import os
from dataclasses import dataclass, field
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    region: str = field(default_factory=lambda: os.getenv("AWS_REGION", "eu-central-1"))
    endpoint_url: str | None = field(default_factory=lambda: os.getenv("DYNAMODB_ENDPOINT"))
    bookings_table: str = field(default_factory=lambda: os.getenv("BOOKINGS_TABLE", "bookings"))
    accounts_table: str = field(default_factory=lambda: os.getenv("ACCOUNTS_TABLE", "accounts"))
    resources_table: str = field(default_factory=lambda: os.getenv("RESOURCES_TABLE", "resources"))
    audit_table: str = field(default_factory=lambda: os.getenv("AUDIT_TABLE", "booking-audit"))
    jwt_secret: str = field(default_factory=lambda: os.environ["BOOKINGS_JWT_SECRET"])
    jwt_audience: str = field(default_factory=lambda: os.getenv("BOOKINGS_JWT_AUDIENCE", "bookings"))
    signup_credits: int = 20


@lru_cache
def load_settings() -> Settings:
    return Settings()
