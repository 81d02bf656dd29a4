from functools import lru_cache
from typing import Optional

from pydantic import BaseSettings


class Settings(BaseSettings):
    aws_region: str = "us-east-1"
    dynamodb_endpoint: Optional[str] = None
    table_prefix: str = "clinic-dev"
    cognito_user_pool_id: str = "us-east-1_example"
    cognito_client_id: str = "changeme"
    notify_sender: str = "no-reply@clinic.example"
    sms_sender_id: str = "CLINIC"

    class Config:
        env_prefix = "CLINIC_"

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.aws_region}.amazonaws.com/{self.cognito_user_pool_id}"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/.well-known/jwks.json"

    def table(self, name: str) -> str:
        return f"{self.table_prefix}-{name}"


@lru_cache()
def get_settings() -> Settings:
    return Settings()
