import base64
import json
import os
from decimal import Decimal

import boto3
from boto3.dynamodb.conditions import Key

TABLE_NAME = os.environ.get("IOT_TABLE", "iot-main")

dynamodb = boto3.resource("dynamodb", region_name=os.environ.get("AWS_REGION", "eu-west-1"))
table = dynamodb.Table(TABLE_NAME)


def org_pk(org_id: str) -> str:
    return f"ORG#{org_id}"


def device_sk(device_id: str) -> str:
    return f"DEVICE#{device_id}"


class _DecimalEncoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, Decimal):
            return int(o) if o % 1 == 0 else float(o)
        return super().default(o)


def encode_token(last_key):
    if not last_key:
        return None
    raw = json.dumps(last_key, cls=_DecimalEncoder).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_token(token):
    if not token:
        return None
    return json.loads(base64.urlsafe_b64decode(token.encode()))


def find_device(device_id):
    resp = table.query(
        IndexName="gsi1",
        KeyConditionExpression=Key("gsi1pk").eq(f"DEVICE#{device_id}"),
        Limit=1,
    )
    items = resp.get("Items", [])
    return items[0] if items else None


def update_fields(pk, sk, fields):
    names = {f"#{k}": k for k in fields}
    values = {f":{k}": v for k, v in fields.items()}
    expr = "SET " + ", ".join(f"#{k} = :{k}" for k in fields)
    resp = table.update_item(
        Key={"pk": pk, "sk": sk},
        UpdateExpression=expr,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]
