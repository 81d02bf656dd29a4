import os

import boto3

TABLE_NAME = os.getenv("TODO_TABLE", "todos")
USERS_TABLE = os.getenv("USERS_TABLE", "users")
SECRET_KEY = os.getenv("SECRET_KEY", "dev")
ALGORITHM = "HS256"

dynamodb = boto3.resource("dynamodb", region_name=os.getenv("AWS_REGION", "us-east-1"))
todos_table = dynamodb.Table(TABLE_NAME)
users_table = dynamodb.Table(USERS_TABLE)
