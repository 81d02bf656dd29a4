from typing import List

from fastapi import APIRouter, Depends, HTTPException, Security
from fastapi_utils.cbv import cbv
from pynamodb.exceptions import DeleteError, PutError

from ..models import Account, Product, Watch, utcnow
from ..schemas import (
    AccountCreate,
    AccountOut,
    AccountUpdate,
    AdminEmail,
    CreditLimitIn,
    Sku,
    WatchOut,
)
from ..security import User, get_user

router = APIRouter(tags=["accounts"])
watch_router = APIRouter(prefix="/watchlist", tags=["watchlist"])


def _conditional_failure(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


class AccountContext:
    """The caller and a lazy handle on their own account record."""

    def __init__(self, user: User = Depends(get_user)):
        self.user = user
        self.email = user.email

    def load(self) -> Account:
        try:
            return Account.get(self.email)
        except Account.DoesNotExist:
            raise HTTPException(status_code=404, detail="no account yet: POST /accounts/me")


class AdminContext:
    def __init__(self, admin: User = Security(get_user, scopes=["inventory:admin"])):
        self.admin = admin


@router.post("/accounts/me", status_code=201, response_model=AccountOut)
def register_account(body: AccountCreate, ctx: AccountContext = Depends()):
    account = Account(
        ctx.email,
        display_name=body.display_name,
        company=body.company,
        credit_limit_cents=0,
    )
    try:
        account.save(condition=Account.email.does_not_exist())
    except PutError as exc:
        if _conditional_failure(exc):
            raise HTTPException(status_code=409, detail="account already registered")
        raise
    return account


@router.get("/accounts/me", response_model=AccountOut)
def read_account(ctx: AccountContext = Depends()):
    return ctx.load()


@router.put("/accounts/me", response_model=AccountOut)
def update_account(body: AccountUpdate, ctx: AccountContext = Depends()):
    account = ctx.load()
    for name, value in body.model_dump(exclude_unset=True).items():
        setattr(account, name, value)
    try:
        account.save()
    except PutError as exc:
        if _conditional_failure(exc):
            raise HTTPException(status_code=409, detail="account changed, reload and retry")
        raise
    return account


@router.get("/admin/accounts/{email}")
def admin_read_account(email: AdminEmail, ctx: AdminContext = Depends()):
    try:
        account = Account.get(email.lower())
    except Account.DoesNotExist:
        raise HTTPException(status_code=404, detail="no such account")
    return account.attribute_values


@router.put("/admin/accounts/{email}/credit-limit", response_model=AccountOut)
def admin_set_credit_limit(
    email: AdminEmail, body: CreditLimitIn, ctx: AdminContext = Depends()
):
    try:
        account = Account.get(email.lower())
    except Account.DoesNotExist:
        raise HTTPException(status_code=404, detail="no such account")
    account.credit_limit_cents = body.credit_limit_cents
    try:
        account.save()
    except PutError as exc:
        if _conditional_failure(exc):
            raise HTTPException(status_code=409, detail="account changed, reload and retry")
        raise
    return account


@cbv(watch_router)
class WatchlistViews:
    user: User = Depends(get_user)

    @watch_router.get("", response_model=List[WatchOut])
    def list_watches(self):
        return [WatchOut.model_validate(w) for w in Watch.query(self.user.email)]

    @watch_router.put("/{sku}", response_model=WatchOut)
    def watch(self, sku: Sku):
        try:
            Product.get(sku)
        except Product.DoesNotExist:
            raise HTTPException(status_code=404, detail="unknown sku")
        watch = Watch(self.user.email, sku, added_at=utcnow())
        try:
            watch.save(condition=Watch.sku.does_not_exist())
        except PutError as exc:
            if not _conditional_failure(exc):
                raise
            watch = Watch.get(self.user.email, sku)  # already watching: idempotent PUT
        return WatchOut.model_validate(watch)

    @watch_router.delete("/{sku}", status_code=204)
    def unwatch(self, sku: Sku):
        try:
            Watch(self.user.email, sku).delete(condition=Watch.sku.exists())
        except DeleteError as exc:
            if _conditional_failure(exc):
                raise HTTPException(status_code=404, detail="not watching this sku")
            raise
