from fastapi import APIRouter, HTTPException

from app.api.deps import SessionDep
from app.core.config import settings

router = APIRouter(prefix="/utils", tags=["utils"])


@router.get("/health-check/")
async def health_check(session: SessionDep) -> bool:
    description = session.meta.client.describe_table(TableName=session.name)
    if description["Table"]["TableStatus"] != "ACTIVE":
        raise HTTPException(status_code=503, detail=f"{settings.DYNAMODB_TABLE} not ready")
    return True
