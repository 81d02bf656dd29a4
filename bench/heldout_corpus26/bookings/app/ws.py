import asyncio
import logging
from datetime import datetime, timezone

from botocore.exceptions import ClientError
from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect, status

from .db import slots
from .schemas import ResourceId
from .security import AuthError, user_from_token
from .slots import day_slots, now_iso

log = logging.getLogger(__name__)

router = APIRouter()

POLL_SECONDS = 5


async def _push_updates(websocket: WebSocket, resource_id: str) -> None:
    seen: dict = {}
    while True:
        day = datetime.now(timezone.utc).date().isoformat()
        items = await asyncio.to_thread(day_slots, resource_id, day)
        for item in items:
            if seen.get(item["slot_start"]) != item["status"]:
                seen[item["slot_start"]] = item["status"]
                await websocket.send_json(
                    {"type": "slot", "slot_start": item["slot_start"], "status": item["status"]}
                )
        await asyncio.sleep(POLL_SECONDS)


@router.websocket("/ws/resources/{resource_id}")
async def resource_feed(websocket: WebSocket, resource_id: ResourceId,
                        token: str = Query(...)):
    try:
        user = user_from_token(token)
    except AuthError:
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
        return
    await websocket.accept()
    pusher = asyncio.create_task(_push_updates(websocket, resource_id))
    try:
        while True:
            message = await websocket.receive_json()
            if message.get("action") != "cancel":
                await websocket.send_json({"type": "error", "error": "unknown action"})
                continue
            slot_start = str(message.get("slot_start", ""))
            try:
                slots.update_item(
                    Key={"resource_id": resource_id, "slot_start": slot_start},
                    UpdateExpression="SET #s = :cancelled, cancelled_at = :at, cancelled_by = :by",
                    ConditionExpression="attribute_exists(slot_start)",
                    ExpressionAttributeNames={"#s": "status"},
                    ExpressionAttributeValues={":cancelled": "cancelled", ":at": now_iso(),
                                               ":by": user.id},
                )
            except ClientError:
                await websocket.send_json({"type": "error", "error": "no such booking"})
                continue
            await websocket.send_json({"type": "cancelled", "slot_start": slot_start})
    except WebSocketDisconnect:
        log.debug("feed for %s closed", resource_id)
    finally:
        pusher.cancel()
