import os

import boto3

REGION = os.environ.get("AWS_REGION", "us-east-1")
SPACES_TABLE = os.environ.get("SPACES_TABLE", "wiki-spaces")
PAGES_TABLE = os.environ.get("PAGES_TABLE", "wiki-pages")
REVISIONS_TABLE = os.environ.get("REVISIONS_TABLE", "wiki-revisions")
SHARES_TABLE = os.environ.get("SHARES_TABLE", "wiki-shares")
USERS_TABLE = os.environ.get("USERS_TABLE", "wiki-users")

dynamodb = boto3.resource("dynamodb", region_name=REGION)
spaces = dynamodb.Table(SPACES_TABLE)
pages = dynamodb.Table(PAGES_TABLE)
revisions = dynamodb.Table(REVISIONS_TABLE)
shares = dynamodb.Table(SHARES_TABLE)
users = dynamodb.Table(USERS_TABLE)
