import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    region: str = os.environ.get("AWS_REGION", "us-east-1")
    endpoint_url: str | None = os.environ.get("DYNAMODB_ENDPOINT")
    users_table: str = os.environ.get("USERS_TABLE", "pay-users")
    payments_table: str = os.environ.get("PAYMENTS_TABLE", "pay-payments")
    quotas_table: str = os.environ.get("QUOTAS_TABLE", "pay-quotas")
    idempotency_table: str = os.environ.get("IDEMPOTENCY_TABLE", "pay-idempotency")
    tickets_table: str = os.environ.get("TICKETS_TABLE", "pay-tickets")
    jwt_secret: str = os.environ.get("JWT_SECRET", "change-me")
    webhook_secret: str = os.environ.get("PSP_WEBHOOK_SECRET", "change-me-too")
    daily_payment_limit: int = int(os.environ.get("DAILY_PAYMENT_LIMIT", "100"))


settings = Settings()
