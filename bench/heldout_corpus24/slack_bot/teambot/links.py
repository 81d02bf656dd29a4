import time
from typing import Annotated

from botocore.exceptions import ClientError
from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse

from .db import reminders
from .schemas import REMINDER_ID

router = APIRouter(tags=["links"])

DONE_PAGE = "<html><body><h1>Done!</h1><p>You can close this tab.</p></body></html>"
ALREADY_PAGE = "<html><body><h1>Already handled</h1></body></html>"


# Reminder DMs carry a "Mark as done" link, so people can tick a reminder
# off from the notification preview without opening Slack.
@router.get("/r/{reminder_id}/done", response_class=HTMLResponse)
def mark_done_from_link(
    reminder_id: Annotated[str, Path(pattern=REMINDER_ID)], team_id: str
) -> HTMLResponse:
    try:
        reminders.update_item(
            Key={"team_id": team_id, "reminder_id": reminder_id},
            UpdateExpression="SET #s = :done, done_at = :now",
            ConditionExpression="#s = :scheduled",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":done": "done",
                ":scheduled": "scheduled",
                ":now": int(time.time()),
            },
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        return HTMLResponse(ALREADY_PAGE, status_code=409)
    return HTMLResponse(DONE_PAGE)
