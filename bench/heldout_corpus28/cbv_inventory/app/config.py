"""Settings read once from the environment (12-factor, no pydantic-settings)."""
import os
from dataclasses import dataclass, field


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Settings:
    stage: str = field(default_factory=lambda: _env("STAGE", "dev"))
    region: str = field(default_factory=lambda: _env("AWS_REGION", "eu-west-1"))
    dynamodb_host: str = field(default_factory=lambda: _env("DYNAMODB_HOST"))
    auth_base_url: str = field(default_factory=lambda: _env("AUTH_BASE_URL", "https://auth.example.com"))
    jwt_issuer: str = field(default_factory=lambda: _env("JWT_ISSUER", "https://auth.example.com/"))
    jwt_audience: str = field(default_factory=lambda: _env("JWT_AUDIENCE", "inventory-api"))
    jwt_public_key: str = field(default_factory=lambda: _env("JWT_PUBLIC_KEY"))

    @property
    def table_prefix(self) -> str:
        return f"inventory-{self.stage}"


settings = Settings()
