import boto3
from boto3.dynamodb.conditions import Attr
from fastapi import APIRouter, Depends, Query

from ..config import load_settings
from ..deps import current_account
from ..schemas import ResourceOut

_settings = load_settings()
_resources = boto3.resource("dynamodb", region_name=_settings.region,
                            endpoint_url=_settings.endpoint_url).Table(_settings.resources_table)

router = APIRouter(prefix="/resources", tags=["resources"], dependencies=[Depends(current_account)])


@router.get("", response_model=list[ResourceOut])
async def list_resources(site: str | None = Query(None, max_length=40)):
    kwargs = {"FilterExpression": Attr("site").eq(site)} if site else {}
    items = []
    while True:
        page = _resources.scan(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
