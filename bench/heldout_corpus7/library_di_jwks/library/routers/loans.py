from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from botocore.exceptions import ClientError
from dependency_injector.wiring import inject
from fastapi import APIRouter, HTTPException, Query

from ..deps import Books, Loans, Members, User
from ..schemas import LoanIn, LoanOut, LoanPage, decode_cursor, encode_cursor

router = APIRouter(tags=["loans"])

LOST_FINE_CENTS = 2500


def _conditional_failed(exc: ClientError) -> bool:
    return exc.response["Error"]["Code"] == "ConditionalCheckFailedException"


def _due(days: int = 21) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


@router.post("", response_model=LoanOut, status_code=201)
@inject
def borrow(body: LoanIn, principal: User, loans: Loans, books: Books, members: Members):
    member = members.get(principal.username)
    if member is None:
        raise HTTPException(status_code=403, detail="register at the desk first")
    if loans.count_active(principal.username) >= int(member.get("max_loans", 3)):
        raise HTTPException(status_code=409, detail="loan limit reached")
    try:
        books.add_copies(body.isbn, -1)
    except ClientError as exc:
        if _conditional_failed(exc):
            raise HTTPException(status_code=409, detail="no copies available") from exc
        raise
    loan = {
        "loan_id": str(uuid4()),
        "username": principal.username,
        "isbn": body.isbn,
        "status": "ACTIVE",
        "due_date": _due(),
        "renewals": 0,
    }
    loans.create(loan)
    return loan


@router.get("", response_model=LoanPage)
@inject
def my_loans(principal: User, loans: Loans, cursor: str | None = Query(None, max_length=1024)):
    items, last_key = loans.for_member(principal.username, decode_cursor(cursor))
    return LoanPage(items=items, cursor=encode_cursor(last_key))


@router.post("/{loan_id}/return", response_model=LoanOut)
@inject
def return_loan(loan_id: UUID, principal: User, loans: Loans, books: Books):
    loan = loans.get(str(loan_id))
    if loan is None or loan["username"] != principal.username:
        raise HTTPException(status_code=404, detail="loan not found")
    if loan["status"] != "ACTIVE":
        raise HTTPException(status_code=409, detail="loan is not active")
    updated = loans.mark_returned(str(loan_id), datetime.now(UTC).isoformat())
    books.add_copies(loan["isbn"], 1)
    return updated


@router.post("/{loan_id}/renew", response_model=LoanOut)
@inject
def renew_loan(loan_id: UUID, principal: User, loans: Loans):
    try:
        return loans.renew(str(loan_id), principal.username, _due())
    except ClientError as exc:
        if _conditional_failed(exc):
            raise HTTPException(status_code=404, detail="no renewable loan") from exc
        raise


@router.post("/{loan_id}/lost", response_model=LoanOut)
@inject
def report_lost(loan_id: UUID, principal: User, loans: Loans):
    try:
        return loans.mark_lost(str(loan_id), principal.username, LOST_FINE_CENTS)
    except ClientError as exc:
        if _conditional_failed(exc):
            raise HTTPException(status_code=404, detail="no active loan") from exc
        raise
