import os
from typing import Any, Optional

import boto3
from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

dynamodb = boto3.resource("dynamodb", region_name=os.environ.get("AWS_REGION", "eu-central-1"))
files_table = dynamodb.Table(os.environ.get("FILES_TABLE", "files-files"))
folders_table = dynamodb.Table(os.environ.get("FOLDERS_TABLE", "files-folders"))


class StorageError(Exception):
    pass


def save_file(item: dict[str, Any]) -> None:
    try:
        files_table.put_item(Item=item, ConditionExpression="attribute_not_exists(file_id)")
    except ClientError as exc:
        raise StorageError(f"could not store file record: {exc}") from exc


def load_file(file_id: str) -> Optional[dict[str, Any]]:
    return files_table.get_item(Key={"file_id": file_id}).get("Item")


def rename_file(file_id: str, owner_sub: str, new_name: str) -> dict[str, Any]:
    resp = files_table.update_item(
        Key={"file_id": file_id},
        UpdateExpression="SET #n = :n",
        ConditionExpression=Attr("owner_sub").eq(owner_sub),
        ExpressionAttributeNames={"#n": "name"},
        ExpressionAttributeValues={":n": new_name},
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]


def folder_exists(folder_id: str, owner_sub: str) -> bool:
    item = folders_table.get_item(Key={"folder_id": folder_id}).get("Item")
    return bool(item) and item["owner_sub"] == owner_sub
