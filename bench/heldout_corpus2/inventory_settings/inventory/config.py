from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INVENTORY_", env_file=".env", extra="ignore")

    aws_region: str = "eu-west-1"
    dynamodb_endpoint: str | None = None

    products_table: str = "inventory-products"
    warehouses_table: str = "inventory-warehouses"
    stock_table: str = "inventory-stock"
    counts_table: str = "inventory-cycle-counts"
    api_keys_table: str = "inventory-api-keys"

    import_batch_limit: int = 500


@lru_cache
def get_settings() -> Settings:
    return Settings()
