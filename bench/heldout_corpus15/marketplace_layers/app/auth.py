"""Bearer tokens issued by the accounts service (HS256, PyJWT)."""
import os
from typing import Annotated, Union

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .domain import Buyer, Seller

JWT_SECRET = os.environ["MARKET_JWT_SECRET"]
bearer = HTTPBearer()


def current_user(
    creds: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
) -> Union[Seller, Buyer]:
    try:
        claims = jwt.decode(
            creds.credentials,
            JWT_SECRET,
            algorithms=["HS256"],
            audience="marketplace",
            options={"require": ["exp", "sub", "aud"]},
        )
    except jwt.PyJWTError:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid token")
    name = claims.get("name", "")
    if claims.get("kind") == "seller":
        return Seller(user_id=claims["sub"], display_name=name,
                      is_staff="staff" in claims.get("groups", []))
    return Buyer(user_id=claims["sub"], display_name=name)


def current_seller(user: Annotated[Union[Seller, Buyer], Depends(current_user)]) -> Seller:
    if not isinstance(user, Seller):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "sellers only")
    return user


def current_buyer(user: Annotated[Union[Seller, Buyer], Depends(current_user)]) -> Buyer:
    if not isinstance(user, Buyer):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "buyers only")
    return user


def current_staff(seller: Annotated[Seller, Depends(current_seller)]) -> Seller:
    if not seller.is_staff:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "staff only")
    return seller


CurrentUser = Annotated[Union[Seller, Buyer], Depends(current_user)]
CurrentSeller = Annotated[Seller, Depends(current_seller)]
CurrentBuyer = Annotated[Buyer, Depends(current_buyer)]
CurrentStaff = Annotated[Seller, Depends(current_staff)]
