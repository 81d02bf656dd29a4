import os

import boto3

dynamodb = boto3.resource(
    "dynamodb",
    region_name=os.environ.get("AWS_REGION", "eu-central-1"),
    endpoint_url=os.environ.get("DYNAMODB_ENDPOINT"),
)

PROJECTS_TABLE = os.environ.get("PROJECTS_TABLE", "wb-projects")
BOOKMARKS_TABLE = os.environ.get("BOOKMARKS_TABLE", "wb-bookmarks")
WEBHOOKS_TABLE = os.environ.get("WEBHOOKS_TABLE", "wb-webhooks")
PROFILES_TABLE = os.environ.get("PROFILES_TABLE", "wb-profiles")
TEMPLATES_TABLE = os.environ.get("TEMPLATES_TABLE", "wb-templates")

projects = dynamodb.Table(PROJECTS_TABLE)
bookmarks = dynamodb.Table(BOOKMARKS_TABLE)
profiles = dynamodb.Table(PROFILES_TABLE)
templates = dynamodb.Table(TEMPLATES_TABLE)
