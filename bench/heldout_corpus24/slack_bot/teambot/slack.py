import json
import re
import secrets
import time
from urllib.parse import parse_qsl

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from fastapi import APIRouter, Depends, HTTPException, Response
from pydantic import ValidationError

from .config import settings
from .db import installations, reminders, workspace_settings
from .schemas import REMINDER_ID, SlashCommand
from .security import verify_slack_request

router = APIRouter(prefix="/slack", tags=["slack"])

REMINDER_ID_RE = re.compile(REMINDER_ID)
DELAY_RE = re.compile(r"^(\d{1,4})([mhd])$")
CHANNEL_REF_RE = re.compile(r"^<#([CG][A-Z0-9]{2,20})(?:\|[^>]*)?>$")
RETENTION = 7 * 24 * 3600
USAGE = (
    "Usage: `/remind add 30m text`, `/remind list`, `/remind cancel <id>`, "
    "`/remind snooze <id> [10m]`"
)


def ephemeral(text: str) -> dict:
    return {"response_type": "ephemeral", "text": text}


def parse_delay(value: str) -> int | None:
    match = DELAY_RE.fullmatch(value)
    if not match:
        return None
    amount, unit = int(match.group(1)), match.group(2)
    return amount * {"m": 60, "h": 3600, "d": 86400}[unit]


def command_payload(body: bytes = Depends(verify_slack_request)) -> SlashCommand:
    try:
        return SlashCommand.model_validate(dict(parse_qsl(body.decode())))
    except ValidationError:
        raise HTTPException(status_code=400, detail="malformed command payload")


@router.post("/commands")
def slash_command(cmd: SlashCommand = Depends(command_payload)) -> dict:
    if cmd.command == "/remind":
        return handle_remind(cmd)
    if cmd.command == "/teambot":
        return handle_teambot(cmd)
    return ephemeral(f"Unknown command {cmd.command}")


def handle_remind(cmd: SlashCommand) -> dict:
    verb, _, rest = cmd.text.strip().partition(" ")
    if verb == "add":
        return add_reminder(cmd, rest.strip())
    if verb == "list":
        return list_reminders(cmd)
    if verb == "cancel":
        return cancel_reminder(cmd, rest.strip())
    if verb == "snooze":
        return snooze_reminder(cmd, rest.strip())
    return ephemeral(USAGE)


def add_reminder(cmd: SlashCommand, rest: str) -> dict:
    when, _, text = rest.partition(" ")
    delay = parse_delay(when)
    if delay is None or not text:
        return ephemeral(USAGE)
    reminder_id = secrets.token_hex(4)
    remind_at = int(time.time()) + delay
    reminders.put_item(
        Item={
            "team_id": cmd.team_id,
            "reminder_id": reminder_id,
            "user_id": cmd.user_id,
            "channel_id": cmd.channel_id,
            "text": text,
            "remind_at": remind_at,
            "status": "scheduled",
            "ttl": remind_at + RETENTION,
        },
        ConditionExpression="attribute_not_exists(reminder_id)",
    )
    return ephemeral(f"OK, I'll remind you <!date^{remind_at}^{{time}}|soon> (`{reminder_id}`).")


def list_reminders(cmd: SlashCommand) -> dict:
    resp = reminders.query(
        KeyConditionExpression=Key("team_id").eq(cmd.team_id),
        FilterExpression=Attr("user_id").eq(cmd.user_id) & Attr("status").eq("scheduled"),
    )
    lines = [f"`{r['reminder_id']}` {r['text']}" for r in resp["Items"]]
    return ephemeral("\n".join(lines) or "You have no upcoming reminders.")


def cancel_reminder(cmd: SlashCommand, reminder_id: str) -> dict:
    if not REMINDER_ID_RE.fullmatch(reminder_id):
        return ephemeral(USAGE)
    try:
        reminders.update_item(
            Key={"team_id": cmd.team_id, "reminder_id": reminder_id},
            UpdateExpression="SET #s = :cancelled, cancelled_at = :now",
            ConditionExpression="user_id = :me",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":cancelled": "cancelled",
                ":now": int(time.time()),
                ":me": cmd.user_id,
            },
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return ephemeral(f"You have no reminder `{reminder_id}`.")
        raise
    return ephemeral(f"Cancelled `{reminder_id}`.")


def snooze_reminder(cmd: SlashCommand, rest: str) -> dict:
    reminder_id, _, when = rest.partition(" ")
    delay = parse_delay(when.strip() or "10m")
    if not REMINDER_ID_RE.fullmatch(reminder_id) or delay is None:
        return ephemeral(USAGE)
    key = {"team_id": cmd.team_id, "reminder_id": reminder_id}
    item = reminders.get_item(Key=key).get("Item")
    if not item or item["user_id"] != cmd.user_id:
        return ephemeral(f"You have no reminder `{reminder_id}`.")
    if item["status"] != "scheduled":
        return ephemeral("That reminder was already sent or cancelled.")
    remind_at = int(time.time()) + delay
    reminders.update_item(
        Key=key,
        UpdateExpression="SET remind_at = :at, ttl = :ttl",
        ConditionExpression="attribute_exists(reminder_id)",
        ExpressionAttributeValues={":at": remind_at, ":ttl": remind_at + RETENTION},
    )
    return ephemeral(f"Snoozed `{reminder_id}`.")


def handle_teambot(cmd: SlashCommand) -> dict:
    args = cmd.text.split()
    if len(args) < 3 or args[0] != "config":
        return ephemeral("Usage: `/teambot config channel #name` or `/teambot config digest on|off`")
    installation = installations.get_item(Key={"team_id": cmd.team_id}).get("Item")
    if not installation:
        return ephemeral("TeamBot is not installed in this workspace.")
    if cmd.user_id not in installation.get("admin_user_ids", []):
        return ephemeral("Only TeamBot admins can change workspace settings.")
    setting, value = args[1], " ".join(args[2:])
    if setting == "channel":
        match = CHANNEL_REF_RE.fullmatch(value)
        if not match:
            return ephemeral("Mention the channel, e.g. `#general`.")
        expression, values = "SET default_channel = :v", {":v": match.group(1)}
    elif setting == "digest" and value in ("on", "off"):
        expression, values = "SET digest_enabled = :v", {":v": value == "on"}
    else:
        return ephemeral(f"Unknown setting `{setting}`.")
    workspace_settings.update_item(
        Key={"team_id": cmd.team_id},
        UpdateExpression=expression + ", updated_by = :by",
        ConditionExpression="attribute_exists(team_id)",
        ExpressionAttributeValues={**values, ":by": cmd.user_id},
    )
    return ephemeral("Saved.")


@router.post("/events")
async def slack_events(body: bytes = Depends(verify_slack_request)) -> Response:
    payload = json.loads(body)
    if payload.get("type") == "url_verification":
        return Response(content=payload["challenge"], media_type="text/plain")
    if payload.get("type") == "event_callback":
        handle_event(payload["team_id"], payload.get("event", {}))
    return Response(status_code=200)


def handle_event(team_id: str, event: dict) -> None:
    kind = event.get("type")
    if kind == "app_uninstalled":
        remove_workspace(team_id)
    elif kind == "tokens_revoked" and event.get("tokens", {}).get("bot"):
        installations.update_item(
            Key={"team_id": team_id},
            UpdateExpression="REMOVE bot_token SET revoked_at = :now",
            ConditionExpression="attribute_exists(team_id)",
            ExpressionAttributeValues={":now": int(time.time())},
        )


def remove_workspace(team_id: str) -> None:
    installations.transact_write_items(
        TransactItems=[
            {"Delete": {"TableName": settings.installations_table, "Key": {"team_id": team_id}}},
            {"Delete": {"TableName": settings.settings_table, "Key": {"team_id": team_id}}},
        ]
    )
