"""JSON-RPC 2.0 endpoint for the notes workspace API."""
import logging
import uuid
from typing import Any, Literal

from botocore.exceptions import ClientError
from fastapi import Body, Depends, FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from . import notes, workspaces  # noqa: F401  (registers the methods)
from .auth import Caller, current_caller, optional_caller
from .db import get_client
from .rpc import METHODS, Context, RpcError

logger = logging.getLogger("workspace_rpc")

app = FastAPI(title="workspace-rpc", version="1.4.0")


class RpcRequest(BaseModel):
    jsonrpc: Literal["2.0"] = "2.0"
    method: str = Field(max_length=64)
    params: dict[str, Any] = Field(default_factory=dict)
    id: int | str | None = None


def _error(req_id: Any, code: int, message: str, data: Any = None) -> dict:
    error = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return {"jsonrpc": "2.0", "error": error, "id": req_id}


async def dispatch(req: RpcRequest, caller: Caller | None, client: Any) -> tuple[int, dict]:
    method = METHODS.get(req.method)
    if method is None:
        return 404, _error(req.id, -32601, f"unknown method {req.method!r}")
    if caller is None and not method.public:
        return 401, _error(req.id, -32001, "authentication required")
    ctx = Context(caller=caller, client=client, request_id=uuid.uuid4().hex)
    try:
        result = await method.fn(req.params, ctx)
    except RpcError as err:
        return err.http_status, _error(req.id, err.code, err.message, err.data)
    except ClientError as exc:
        logger.warning("dynamodb error in %s (%s)", req.method, ctx.request_id)
        return 502, _error(req.id, -32000, "storage error", {"reason": str(exc)})
    except Exception:
        logger.exception("rpc %s failed (%s)", req.method, ctx.request_id)
        return 500, _error(req.id, -32603, "internal error", {"request_id": ctx.request_id})
    return 200, {"jsonrpc": "2.0", "result": result, "id": req.id}


@app.post("/rpc")
async def rpc_endpoint(
    req: RpcRequest,
    caller: Caller | None = Depends(optional_caller),
    client: Any = Depends(get_client),
):
    status_code, payload = await dispatch(req, caller, client)
    return JSONResponse(payload, status_code=status_code)


@app.post("/rpc/batch")
async def rpc_batch(
    reqs: list[RpcRequest] = Body(min_length=1, max_length=20),
    caller: Caller = Depends(current_caller),
    client: Any = Depends(get_client),
):
    results = []
    for req in reqs:
        _, payload = await dispatch(req, caller, client)
        results.append(payload)
    return results


@app.get("/healthz")
async def healthz():
    return {"ok": True}
