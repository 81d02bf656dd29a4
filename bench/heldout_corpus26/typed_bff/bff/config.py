from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

import boto3
from mypy_boto3_dynamodb.service_resource import DynamoDBServiceResource, Table


@dataclass(frozen=True)
class Settings:
    region: str
    endpoint_url: str | None
    profiles_table: str
    orders_table: str
    tickets_table: str
    shipments_table: str
    notifications_table: str
    jwt_secret: str
    jwt_audience: str
    jwt_issuer: str


@lru_cache
def get_settings() -> Settings:
    return Settings(
        region=os.environ.get("AWS_REGION", "eu-west-1"),
        endpoint_url=os.environ.get("AWS_ENDPOINT_URL_DYNAMODB"),
        profiles_table=os.environ.get("PROFILES_TABLE", "bff-profiles"),
        orders_table=os.environ.get("ORDERS_TABLE", "bff-orders"),
        tickets_table=os.environ.get("TICKETS_TABLE", "bff-tickets"),
        shipments_table=os.environ.get("SHIPMENTS_TABLE", "bff-shipments"),
        notifications_table=os.environ.get("NOTIFICATIONS_TABLE", "bff-notifications"),
        jwt_secret=os.environ["JWT_SECRET"],
        jwt_audience=os.environ.get("JWT_AUDIENCE", "web-bff"),
        jwt_issuer=os.environ.get("JWT_ISSUER", "https://auth.example.com/"),
    )


@lru_cache
def _resource() -> DynamoDBServiceResource:
    settings = get_settings()
    return boto3.resource(
        "dynamodb", region_name=settings.region, endpoint_url=settings.endpoint_url
    )


def profiles_table() -> Table:
    return _resource().Table(get_settings().profiles_table)


def orders_table() -> Table:
    return _resource().Table(get_settings().orders_table)


def tickets_table() -> Table:
    return _resource().Table(get_settings().tickets_table)


def shipments_table() -> Table:
    return _resource().Table(get_settings().shipments_table)


def notifications_table() -> Table:
    return _resource().Table(get_settings().notifications_table)
