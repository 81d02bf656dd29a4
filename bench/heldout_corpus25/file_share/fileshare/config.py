import os

REGION = os.getenv("AWS_REGION", "us-east-1")
DYNAMODB_HOST = os.getenv("DYNAMODB_HOST")  # set for dynamodb-local
TABLE_PREFIX = os.getenv("TABLE_PREFIX", "fileshare")
BUCKET = os.environ.get("FILES_BUCKET", "fileshare-uploads")

COGNITO_USER_POOL_ID = os.environ.get("COGNITO_USER_POOL_ID", "us-east-1_example")
COGNITO_APP_CLIENT_ID = os.environ.get("COGNITO_APP_CLIENT_ID", "example-client-id")
COGNITO_ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{COGNITO_USER_POOL_ID}"
ADMIN_GROUP = os.getenv("ADMIN_GROUP", "admins")

UPLOAD_URL_TTL = 900
DOWNLOAD_URL_TTL = 300
MAX_UPLOAD_BYTES = 5 * 1024**3
