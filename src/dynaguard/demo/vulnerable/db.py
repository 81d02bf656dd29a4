"""DynamoDB tables of the vulnerable app: plain boto3, module-level handles, as real code does."""

from __future__ import annotations

import boto3

from dynaguard.demo.settings import region, table_name

# Endpoint and credentials come from the standard AWS settings (AWS_ENDPOINT_URL_DYNAMODB...).
dynamodb = boto3.resource("dynamodb", region_name=region())

users = dynamodb.Table(table_name("vulnerable", "users"))
projects = dynamodb.Table(table_name("vulnerable", "projects"))
notes = dynamodb.Table(table_name("vulnerable", "notes"))
attachments = dynamodb.Table(table_name("vulnerable", "attachments"))
