import time
from typing import Optional

from fastapi import Depends, Header, HTTPException

from . import crud
from .database import get_sessions_db, get_users_db


def get_current_user(
    x_session: Optional[str] = Header(None),
    sessions=Depends(get_sessions_db),
    users=Depends(get_users_db),
) -> Optional[dict]:
    """Returns the signed-in user, or None for anonymous callers.

    Routes decide what anonymous callers may do (the public pages of the
    booking widget use the same endpoints)."""
    if not x_session:
        return None
    session = crud.get_session(sessions, x_session)
    if session is None or session["expires_at"] < int(time.time()):
        return None
    return crud.get_user(users, session["user_id"])


def require_doctor(user: Optional[dict] = Depends(get_current_user)) -> dict:
    if user is None:
        raise HTTPException(status_code=401, detail="Not signed in")
    if user.get("role") != "doctor":
        raise HTTPException(status_code=403, detail="Doctors only")
    return user
