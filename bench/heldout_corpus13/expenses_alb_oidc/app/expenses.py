"""Expenses: draft -> submitted -> approved | rejected, grouped into reports."""
from __future__ import annotations

import uuid

from botocore.exceptions import ClientError
from fastapi import APIRouter, HTTPException, Query, Response

from .auth import Approver, Me
from .models import (
    AttachIn,
    ExpenseId,
    ExpenseIn,
    ExpenseOut,
    ExpenseUpdate,
    RejectIn,
    ReportId,
    ReportIn,
    ReportOut,
)
from .store import (
    EXPENSES,
    REPORTS,
    budgets,
    ddb,
    expense_key,
    from_ddb,
    load_expense,
    to_ddb,
    typed,
    utcnow,
    values,
)

router = APIRouter(tags=["expenses"])

RECEIPTS_CDN = "https://receipts.internal.example.com"


@router.post("/expenses", response_model=ExpenseOut, status_code=201)
def create_expense(body: ExpenseIn, me: Me) -> dict:
    item = {
        "status": "draft",
        "version": 1,
        "created_at": utcnow(),
        **body.model_dump(mode="json"),
        "expense_id": uuid.uuid4().hex,
        "owner_sub": me.sub,
        "team_id": me.team_id,
    }
    ddb.put_item(
        TableName=EXPENSES,
        Item=to_ddb(item),
        ConditionExpression="attribute_not_exists(expense_id)",
    )
    return item


@router.get("/expenses", response_model=list[ExpenseOut])
async def list_my_expenses(me: Me, limit: int = Query(50, ge=1, le=200)) -> list[dict]:
    resp = ddb.query(
        TableName=EXPENSES,
        IndexName="by_owner",
        KeyConditionExpression="owner_sub = :me",
        ExpressionAttributeValues=values(me=me.sub),
        ScanIndexForward=False,
        Limit=limit,
    )
    return [from_ddb(i) for i in resp["Items"]]


@router.get("/expenses/search", response_model=list[ExpenseOut])
def search_expenses(
    me: Me,
    q: str = Query(min_length=2, max_length=50),
    field: str = Query("merchant", max_length=32),
) -> list[dict]:
    resp = ddb.scan(
        TableName=EXPENSES,
        FilterExpression=f"contains({field}, :q)",
        ExpressionAttributeValues=values(q=q),
        Limit=500,
    )
    return [from_ddb(i) for i in resp["Items"]]


@router.get("/expenses/{expense_id}", response_model=ExpenseOut)
def get_expense(expense_id: ExpenseId, me: Me) -> dict:
    item = load_expense(expense_id)
    if item is None or (item["owner_sub"] != me.sub and not me.is_approver):
        raise HTTPException(404, "expense not found")
    return item


@router.api_route("/expenses/{expense_id}", methods=["PUT", "PATCH"], response_model=ExpenseOut)
def edit_expense(expense_id: ExpenseId, body: ExpenseUpdate, me: Me) -> dict:
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    if not changes:
        raise HTTPException(422, "nothing to change")
    names = {"#v": "version", "#s": "status"}
    vals = values(me=me.sub, expected=body.version, one=1, draft="draft", now=utcnow())
    sets = ["#v = #v + :one", "updated_at = :now"]
    for i, (field, value) in enumerate(sorted(changes.items())):
        names[f"#f{i}"] = field
        vals[f":f{i}"] = typed(value)
        sets.append(f"#f{i} = :f{i}")
    try:
        resp = ddb.update_item(
            TableName=EXPENSES,
            Key=expense_key(expense_id),
            UpdateExpression="SET " + ", ".join(sets),
            ConditionExpression="owner_sub = :me AND #v = :expected AND #s = :draft",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=vals,
            ReturnValues="ALL_NEW",
        )
    except ddb.exceptions.ConditionalCheckFailedException:
        raise HTTPException(409, "expense was changed, submitted, or is not yours")
    return from_ddb(resp["Attributes"])


@router.get("/expenses/{expense_id}/receipt")
def get_receipt(expense_id: str, me: Me) -> dict:
    resp = ddb.get_item(
        TableName=EXPENSES,
        Key=to_ddb({"expense_id": expense_id}),
        ProjectionExpression="expense_id, receipt_key",
    )
    item = from_ddb(resp.get("Item", {}))
    if "receipt_key" not in item:
        raise HTTPException(404, "no receipt uploaded")
    return {"expense_id": expense_id, "receipt_url": f"{RECEIPTS_CDN}/{item['receipt_key']}"}


@router.post("/expenses/{expense_id}/submit", response_model=ExpenseOut)
def submit_expense(expense_id: ExpenseId, me: Me) -> dict:
    try:
        resp = ddb.update_item(
            TableName=EXPENSES,
            Key=expense_key(expense_id),
            UpdateExpression="SET #s = :submitted, submitted_at = :now, #v = #v + :one",
            ConditionExpression="owner_sub = :me AND #s = :draft",
            ExpressionAttributeNames={"#s": "status", "#v": "version"},
            ExpressionAttributeValues=values(
                submitted="submitted", draft="draft", me=me.sub, now=utcnow(), one=1
            ),
            ReturnValues="ALL_NEW",
        )
    except ddb.exceptions.ConditionalCheckFailedException:
        raise HTTPException(409, "only your own draft expenses can be submitted")
    return from_ddb(resp["Attributes"])


@router.delete("/expenses/{expense_id}", status_code=204)
def delete_expense(expense_id: ExpenseId, me: Me) -> Response:
    resp = ddb.get_item(TableName=EXPENSES, Key=expense_key(expense_id))
    if "Item" not in resp:
        raise HTTPException(404, "expense not found")
    item = from_ddb(resp["Item"])
    if item["owner_sub"] != me.sub:
        raise HTTPException(403, "not your expense")
    if item["status"] not in ("draft", "rejected"):
        raise HTTPException(409, "submitted expenses cannot be deleted")
    ddb.delete_item(TableName=EXPENSES, Key=expense_key(expense_id))
    return Response(status_code=204)


@router.post("/expenses/{expense_id}/report", response_model=ExpenseOut)
def attach_to_report(expense_id: ExpenseId, body: AttachIn, me: Me) -> dict:
    item = load_expense(expense_id)
    if item is None or item["owner_sub"] != me.sub:
        raise HTTPException(404, "expense not found")
    try:
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": EXPENSES,
                        "Key": expense_key(expense_id),
                        "UpdateExpression": "SET report_id = :r",
                        "ConditionExpression": "owner_sub = :me AND attribute_not_exists(report_id)",
                        "ExpressionAttributeValues": values(r=body.report_id, me=me.sub),
                    }
                },
                {
                    "Update": {
                        "TableName": REPORTS,
                        "Key": to_ddb({"report_id": body.report_id}),
                        "UpdateExpression": "SET expense_ids = list_append(if_not_exists(expense_ids, :empty), :eid), "
                        "updated_at = :now ADD total_cents :amt, expense_count :one",
                        "ConditionExpression": "attribute_exists(report_id)",
                        "ExpressionAttributeValues": values(
                            empty=[], eid=[expense_id], now=utcnow(), amt=item["amount_cents"], one=1
                        ),
                    }
                },
            ]
        )
    except ClientError as exc:
        raise HTTPException(409, detail=f"could not attach expense: {exc}")
    item["report_id"] = body.report_id
    return item


@router.post("/reports", response_model=ReportOut, status_code=201)
def create_report(body: ReportIn, me: Me) -> dict:
    report = {
        "report_id": f"rpt_{uuid.uuid4().hex}",
        "owner_sub": me.sub,
        "title": body.title,
        "total_cents": 0,
        "expense_count": 0,
        "created_at": utcnow(),
    }
    ddb.put_item(
        TableName=REPORTS,
        Item=to_ddb(report),
        ConditionExpression="attribute_not_exists(report_id)",
    )
    return report


@router.get("/reports", response_model=list[ReportOut])
def list_reports(me: Me) -> list[dict]:
    resp = ddb.query(
        TableName=REPORTS,
        IndexName="by_owner",
        KeyConditionExpression="owner_sub = :me",
        ExpressionAttributeValues=values(me=me.sub),
    )
    return [from_ddb(i) for i in resp["Items"]]


@router.get("/reports/{report_id}/expenses")
def report_expenses(report_id: ReportId, me: Me):
    resp = ddb.query(
        TableName=EXPENSES,
        IndexName="by_report",
        KeyConditionExpression="report_id = :r",
        ExpressionAttributeValues=values(r=report_id),
    )
    return {"report_id": report_id, "items": [from_ddb(i) for i in resp["Items"]]}


# --- approvers -------------------------------------------------------------


@router.get("/approvals", response_model=list[ExpenseOut])
def approval_queue(approver: Approver) -> list[dict]:
    resp = ddb.scan(
        TableName=EXPENSES,
        FilterExpression="status = :submitted AND team_id = :team",
        ExpressionAttributeValues=values(submitted="submitted", team=approver.team_id),
    )
    return [from_ddb(i) for i in resp["Items"]]


@router.post("/expenses/{expense_id}/approve", response_model=ExpenseOut)
def approve_expense(expense_id: ExpenseId, approver: Approver) -> dict:
    resp = ddb.update_item(
        TableName=EXPENSES,
        Key=expense_key(expense_id),
        UpdateExpression="SET #s = :approved, approved_by = :me, approved_at = :now",
        ConditionExpression="attribute_exists(expense_id)",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues=values(approved="approved", me=approver.sub, now=utcnow()),
        ReturnValues="ALL_NEW",
    )
    expense = from_ddb(resp["Attributes"])
    budgets.update_item(
        Key={"team_id": expense["team_id"]},
        UpdateExpression="ADD spent_cents :amt",
        ExpressionAttributeValues={":amt": expense["amount_cents"]},
    )
    return expense


@router.post("/expenses/{expense_id}/reject", response_model=ExpenseOut)
def reject_expense(expense_id: ExpenseId, body: RejectIn, approver: Approver) -> dict:
    try:
        resp = ddb.update_item(
            TableName=EXPENSES,
            Key=expense_key(expense_id),
            UpdateExpression="SET #s = :rejected, rejection_reason = :why, rejected_by = :me",
            ConditionExpression="#s = :submitted",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=values(
                rejected="rejected", submitted="submitted", why=body.reason, me=approver.sub
            ),
            ReturnValues="ALL_NEW",
        )
    except ddb.exceptions.ConditionalCheckFailedException:
        raise HTTPException(409, "only submitted expenses can be rejected")
    return from_ddb(resp["Attributes"])
