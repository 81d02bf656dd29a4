from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHOP_", env_file=".env")

    aws_region: str = "eu-west-1"
    dynamodb_endpoint: str | None = None

    products_table: str = "shop-products"
    carts_table: str = "shop-carts"
    orders_table: str = "shop-orders"
    coupons_table: str = "shop-coupons"
    refunds_table: str = "shop-refunds"
    returns_table: str = "shop-returns"

    auth0_domain: str = "example.eu.auth0.com"
    auth0_audience: str = "https://api.shop.example.com"

    max_line_quantity: int = 20


@lru_cache
def get_settings() -> Settings:
    return Settings()
