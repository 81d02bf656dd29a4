import hmac
import secrets
import time
from urllib.parse import urlencode

import httpx
from botocore.exceptions import ClientError
from fastapi import APIRouter, Cookie, HTTPException
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .config import settings
from .db import installations, workspace_settings
from .security import SESSION_COOKIE, SESSION_MAX_AGE, issue_session

router = APIRouter(prefix="/slack", tags=["oauth"])

STATE_COOKIE = "teambot_oauth_state"
STATE_MAX_AGE = 600
state_signer = URLSafeTimedSerializer(settings.session_secret, salt="teambot-oauth-state")
REDIRECT_URI = f"{settings.base_url}/slack/oauth/callback"


@router.get("/install")
def install() -> RedirectResponse:
    nonce = secrets.token_urlsafe(16)
    query = urlencode(
        {
            "client_id": settings.slack_client_id,
            "scope": settings.slack_scopes,
            "state": state_signer.dumps(nonce),
            "redirect_uri": REDIRECT_URI,
        }
    )
    response = RedirectResponse(f"https://slack.com/oauth/v2/authorize?{query}")
    response.set_cookie(
        STATE_COOKIE, nonce, max_age=STATE_MAX_AGE, httponly=True, secure=True
    )
    return response


@router.get("/oauth/callback")
def oauth_callback(
    code: str,
    state: str,
    teambot_oauth_state: str | None = Cookie(default=None),
) -> RedirectResponse:
    try:
        nonce = state_signer.loads(state, max_age=STATE_MAX_AGE)
    except BadSignature:
        raise HTTPException(status_code=400, detail="invalid or expired state")
    if not teambot_oauth_state or not hmac.compare_digest(nonce, teambot_oauth_state):
        raise HTTPException(status_code=400, detail="state does not match this browser")

    resp = httpx.post(
        "https://slack.com/api/oauth.v2.access",
        data={
            "code": code,
            "client_id": settings.slack_client_id,
            "client_secret": settings.slack_client_secret,
            "redirect_uri": REDIRECT_URI,
        },
        timeout=10,
    )
    data = resp.json()
    if not data.get("ok"):
        raise HTTPException(
            status_code=400, detail=f"Slack OAuth failed: {data.get('error', 'unknown')}"
        )

    team_id = data["team"]["id"]
    installer = data["authed_user"]["id"]
    now = int(time.time())
    installations.put_item(
        Item={
            "team_id": team_id,
            "team_name": data["team"]["name"],
            "bot_token": data["access_token"],
            "bot_user_id": data["bot_user_id"],
            "scopes": data.get("scope", ""),
            "installed_by": installer,
            "admin_user_ids": [installer],
            "installed_at": now,
        }
    )
    try:
        workspace_settings.put_item(
            Item={
                "team_id": team_id,
                "digest_enabled": True,
                "digest_hour": 9,
                "max_reminders_per_user": 25,
                "created_at": now,
            },
            ConditionExpression="attribute_not_exists(team_id)",
        )
    except ClientError as exc:
        # Reinstall: keep the workspace's existing settings.
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise

    response = RedirectResponse(f"{settings.base_url}/admin", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        issue_session(team_id, installer),
        max_age=SESSION_MAX_AGE,
        httponly=True,
        secure=True,
        samesite="lax",
    )
    response.delete_cookie(STATE_COOKIE)
    return response
