import boto3
from botocore.config import Config

from . import config

s3 = boto3.client("s3", region_name=config.REGION, config=Config(signature_version="s3v4"))


def upload_url(key: str, content_type: str) -> str:
    return s3.generate_presigned_url(
        "put_object",
        Params={"Bucket": config.BUCKET, "Key": key, "ContentType": content_type},
        ExpiresIn=config.UPLOAD_URL_TTL,
    )


def download_url(key: str, filename: str) -> str:
    return s3.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": config.BUCKET,
            "Key": key,
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
        },
        ExpiresIn=config.DOWNLOAD_URL_TTL,
    )


def object_size(key: str) -> int:
    return s3.head_object(Bucket=config.BUCKET, Key=key)["ContentLength"]


def delete_object(key: str) -> None:
    s3.delete_object(Bucket=config.BUCKET, Key=key)
