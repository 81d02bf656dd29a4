from botocore.exceptions import ClientError
from dependency_injector.wiring import inject
from fastapi import APIRouter, HTTPException, Query

from ..deps import Librarian, Loans, Members, User
from ..schemas import LoanPage, MemberOut, MemberPatch, QuotaIn, Username, decode_cursor, encode_cursor

router = APIRouter(tags=["members"])


@router.get("/me")
@inject
async def read_me(principal: User, members: Members):
    member = members.get(principal.username)
    if member is None:
        raise HTTPException(status_code=404, detail="not registered")
    return member


@router.patch("/me", response_model=MemberOut)
@inject
def patch_me(body: MemberPatch, principal: User, members: Members):
    changes = body.model_dump(exclude_none=True)
    if not changes:
        raise HTTPException(status_code=400, detail="nothing to update")
    try:
        return members.patch(principal.username, changes)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="not registered") from exc
        raise


@router.get("/{username}/loans", response_model=LoanPage)
@inject
def member_loans(
    username: str,
    principal: User,
    loans: Loans,
    cursor: str | None = Query(None, max_length=1024),
):
    """Desk view: a member's current and past loans."""
    items, last_key = loans.for_member(username, decode_cursor(cursor))
    return LoanPage(items=items, cursor=encode_cursor(last_key))


@router.put("/{username}/quota", response_model=MemberOut)
@inject
def set_quota(username: Username, body: QuotaIn, _: Librarian, members: Members):
    try:
        return members.set_quota(username, body.max_loans)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise HTTPException(status_code=404, detail="member not found") from exc
        raise
