import os

import boto3

REGION = os.getenv("AWS_REGION", "us-east-1")

dynamodb = boto3.resource(
    "dynamodb",
    region_name=REGION,
    endpoint_url=os.getenv("AWS_ENDPOINT_URL_DYNAMODB"),
)

resources = dynamodb.Table(os.getenv("RESOURCES_TABLE", "booking-resources"))
slots = dynamodb.Table(os.getenv("SLOTS_TABLE", "booking-slots"))
waitlist = dynamodb.Table(os.getenv("WAITLIST_TABLE", "booking-waitlist"))

USER_INDEX = "user-index"
