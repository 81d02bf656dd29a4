from datetime import datetime, timezone

from fastapi import APIRouter, Request
from starlette.authentication import requires

from .db import spaces
from .schemas import PlanIn, Slug, SpaceOut

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get("/spaces/", response_model=list[SpaceOut])
@requires(["authenticated", "admin"])
def all_spaces(request: Request):
    items: list[dict] = []
    kwargs: dict = {}
    while True:
        resp = spaces.scan(**kwargs)
        items.extend(resp["Items"])
        if "LastEvaluatedKey" not in resp:
            return items
        kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]


@router.put("/spaces/{slug}/plan", response_model=SpaceOut)
@requires(["authenticated", "admin"])
def set_plan(request: Request, slug: Slug, body: PlanIn):
    resp = spaces.update_item(
        Key={"slug": slug},
        UpdateExpression="SET plan = :p, plan_changed_at = :now, plan_changed_by = :admin",
        ExpressionAttributeValues={
            ":p": body.plan,
            ":now": datetime.now(timezone.utc).isoformat(),
            ":admin": request.user.sub,
        },
        ReturnValues="ALL_NEW",
    )
    return resp["Attributes"]
