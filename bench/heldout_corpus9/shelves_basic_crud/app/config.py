from pydantic import BaseModel
from pydantic_settings import BaseSettings, SettingsConfigDict


class TableNames(BaseModel):
    users: str = "shelves-users"
    shelves: str = "shelves-shelves"
    books: str = "shelves-books"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHELVES_", env_nested_delimiter="__")

    project_name: str = "Shelves API"
    aws_region: str = "eu-west-1"
    dynamodb_endpoint: str | None = None
    tables: TableNames = TableNames()
    password_salt: str = "change-me"


settings = Settings()
