import uuid
from datetime import datetime, timezone

from fastapi import APIRouter, Depends

from ..repositories import CountRepository
from ..schemas import CycleCount

router = APIRouter(prefix="/cycle-counts", tags=["counts"])


@router.post("", status_code=201)
def record_count(body: CycleCount, counts: CountRepository = Depends(CountRepository)):
    item = {**body.model_dump(), "count_id": str(uuid.uuid4()),
            "recorded_at": datetime.now(timezone.utc).isoformat()}
    counts.put(item)
    return {"count_id": item["count_id"]}
