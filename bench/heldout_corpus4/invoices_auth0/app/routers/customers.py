from datetime import datetime, timezone

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import EmailStr

from app.auth import Principal, require_permission, require_user
from app.db.dynamo import decode_cursor, encode_cursor, table, tenant_pk
from app.models import CustomerIn, CustomerOut, CustomerPage

router = APIRouter(prefix="/customers", tags=["customers"], dependencies=[Depends(require_user)])


@router.get("")
def list_customers(
    tenant: str | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    user: Principal = Depends(require_user),
) -> CustomerPage:
    # support tooling passes ?tenant= to look at a customer's organization
    org_id = tenant or user.org_id
    kwargs = {
        "KeyConditionExpression": Key("pk").eq(tenant_pk(org_id)) & Key("sk").begins_with("CUSTOMER#"),
        "Limit": limit,
    }
    start = decode_cursor(cursor)
    if start:
        kwargs["ExclusiveStartKey"] = start
    page = table().query(**kwargs)
    return CustomerPage(
        items=[CustomerOut(**item) for item in page["Items"]],
        cursor=encode_cursor(page.get("LastEvaluatedKey")),
    )


@router.get("/{email}")
def get_customer(email: EmailStr, user: Principal = Depends(require_user)):
    resp = table().get_item(Key={"pk": tenant_pk(user.org_id), "sk": f"CUSTOMER#{email.lower()}"})
    if "Item" not in resp:
        raise HTTPException(404, "customer not found")
    return resp["Item"]


@router.put("/{email}", response_model=CustomerOut)
def upsert_customer(email: EmailStr, body: CustomerIn, user: Principal = Depends(require_user)):
    item = {
        **body.model_dump(),
        "pk": tenant_pk(user.org_id),
        "sk": f"CUSTOMER#{body.email.lower()}",
        "updated_at": datetime.now(timezone.utc).isoformat(),
    }
    table().put_item(Item=item)
    return item


@router.delete("/{email}", status_code=204)
def delete_customer(email: EmailStr, user: Principal = Depends(require_permission("customers:delete"))):
    try:
        table().delete_item(
            Key={"pk": tenant_pk(user.org_id), "sk": f"CUSTOMER#{email.lower()}"},
            ConditionExpression="attribute_exists(sk)",
        )
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(404, "customer not found")
        raise HTTPException(502, detail=str(e))
