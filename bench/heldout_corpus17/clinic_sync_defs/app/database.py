import os

import boto3

REGION = os.getenv("AWS_REGION", "eu-west-1")
ENDPOINT = os.getenv("DYNAMODB_ENDPOINT")  # local dev: http://localhost:8000

APPOINTMENTS_TABLE = os.getenv("APPOINTMENTS_TABLE", "clinic-appointments")
USERS_TABLE = os.getenv("USERS_TABLE", "clinic-users")
SESSIONS_TABLE = os.getenv("SESSIONS_TABLE", "clinic-sessions")
NOTES_TABLE = os.getenv("NOTES_TABLE", "clinic-notes")


def _dynamodb():
    return boto3.resource("dynamodb", region_name=REGION, endpoint_url=ENDPOINT)


def get_db():
    """One Table per request, like the SQLAlchemy SessionLocal pattern."""
    db = _dynamodb()
    try:
        yield db.Table(APPOINTMENTS_TABLE)
    finally:
        pass


def get_users_db():
    db = _dynamodb()
    try:
        yield db.Table(USERS_TABLE)
    finally:
        pass


def get_sessions_db():
    db = _dynamodb()
    try:
        yield db.Table(SESSIONS_TABLE)
    finally:
        pass


def get_notes_db():
    db = _dynamodb()
    try:
        yield db.Table(NOTES_TABLE)
    finally:
        pass
