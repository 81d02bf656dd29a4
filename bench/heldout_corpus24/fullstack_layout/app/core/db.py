import boto3

from app.core.config import settings

dynamodb = boto3.resource(
    "dynamodb",
    region_name=settings.AWS_REGION,
    endpoint_url=settings.DYNAMODB_ENDPOINT_URL,
)

# Single table: users and items share it, told apart by `entity`.
# GSIs: "email-index" (email) for users, "owner-index" (owner_id, created_at) for items.
table = dynamodb.Table(settings.DYNAMODB_TABLE)
