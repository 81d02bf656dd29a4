from datetime import datetime, timezone

from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException

from ..db import org_pk, table, TABLE_NAME
from ..schemas import MemberIn, MemberOut, OrgCreate, OrgIdPath, OrgOut
from ..security import Principal, get_principal, list_members, require_member, require_org_admin

router = APIRouter(prefix="/orgs", tags=["orgs"])


@router.post("", response_model=OrgOut, status_code=201)
def create_org(body: OrgCreate, principal: Principal = Depends(get_principal)):
    now = datetime.now(timezone.utc).isoformat()
    try:
        table.meta.client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": TABLE_NAME,
                        "Item": {"pk": org_pk(body.org_id), "sk": "META", "org_id": body.org_id,
                                 "display_name": body.display_name, "created_at": now},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": TABLE_NAME,
                        "Item": {"pk": org_pk(body.org_id), "sk": f"MEMBER#{principal.user_id}",
                                 "user_id": principal.user_id, "email": principal.email,
                                 "role": "admin", "joined_at": now},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
    except ClientError as e:
        raise HTTPException(status_code=400, detail=e.response["Error"])
    return {"org_id": body.org_id, "display_name": body.display_name, "created_at": now}


@router.get("/{org_id}/members", response_model=list[MemberOut])
def get_members(org_id: OrgIdPath, principal: Principal = Depends(get_principal)):
    require_member(org_id, principal)
    return list_members(org_id)


@router.post("/{org_id}/members", response_model=MemberOut, status_code=201)
def add_member(org_id: OrgIdPath, body: MemberIn, principal: Principal = Depends(get_principal)):
    require_org_admin(org_id, principal)
    item = {
        "pk": org_pk(org_id),
        "sk": f"MEMBER#{body.user_id}",
        "user_id": body.user_id,
        "email": body.email,
        "role": body.role,
        "joined_at": datetime.now(timezone.utc).isoformat(),
    }
    try:
        table.put_item(Item=item, ConditionExpression="attribute_not_exists(sk)")
    except table.meta.client.exceptions.ConditionalCheckFailedException:
        raise HTTPException(409, "Already a member")
    return item


@router.delete("/{org_id}/members/{user_id}", status_code=204)
def remove_member(org_id: OrgIdPath, user_id: str, principal: Principal = Depends(get_principal)):
    require_org_admin(org_id, principal)
    if user_id == principal.user_id:
        raise HTTPException(400, "Use leave instead")
    table.delete_item(Key={"pk": org_pk(org_id), "sk": f"MEMBER#{user_id}"})
