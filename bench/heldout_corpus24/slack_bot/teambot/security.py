import hashlib
import hmac
import time
from dataclasses import dataclass

from fastapi import Cookie, HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .config import settings
from .db import installations

MAX_CLOCK_SKEW = 60 * 5
SESSION_COOKIE = "teambot_session"
SESSION_MAX_AGE = 60 * 60 * 12

session_serializer = URLSafeTimedSerializer(settings.session_secret, salt="teambot-admin")


async def verify_slack_request(request: Request) -> bytes:
    """Check X-Slack-Signature over the raw body; returns the body."""
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW:
        raise HTTPException(status_code=401, detail="stale or missing timestamp")
    body = await request.body()
    basestring = b"v0:" + timestamp.encode() + b":" + body
    digest = hmac.new(
        settings.slack_signing_secret.encode(), basestring, hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(f"v0={digest}", signature):
        raise HTTPException(status_code=401, detail="invalid signature")
    return body


@dataclass(frozen=True)
class AdminSession:
    team_id: str
    user_id: str


def issue_session(team_id: str, user_id: str) -> str:
    return session_serializer.dumps({"team_id": team_id, "user_id": user_id})


def current_admin(teambot_session: str | None = Cookie(default=None)) -> AdminSession:
    if not teambot_session:
        raise HTTPException(status_code=401, detail="not signed in")
    try:
        data = session_serializer.loads(teambot_session, max_age=SESSION_MAX_AGE)
    except BadSignature:
        raise HTTPException(status_code=401, detail="session expired")
    installation = installations.get_item(Key={"team_id": data["team_id"]}).get("Item")
    if not installation or data["user_id"] not in installation.get("admin_user_ids", []):
        raise HTTPException(status_code=403, detail="TeamBot admins only")
    return AdminSession(team_id=data["team_id"], user_id=data["user_id"])
