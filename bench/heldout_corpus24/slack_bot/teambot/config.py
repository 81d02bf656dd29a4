from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TEAMBOT_", env_file=".env")

    slack_signing_secret: str
    slack_client_id: str
    slack_client_secret: str
    slack_scopes: str = "commands,chat:write,users:read"
    session_secret: str
    base_url: str = "https://teambot.example.com"

    aws_region: str = "us-east-1"
    installations_table: str = "teambot-installations"
    settings_table: str = "teambot-workspace-settings"
    reminders_table: str = "teambot-reminders"


settings = Settings()  # type: ignore[call-arg]
