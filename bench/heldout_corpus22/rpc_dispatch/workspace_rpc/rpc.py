"""Method registry, call context, errors and the membership checks methods share."""
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from pydantic import BaseModel, ValidationError

from .auth import Caller
from .db import MEMBERS


@dataclass
class Context:
    caller: Caller | None
    client: Any
    request_id: str
    extra: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[dict, Context], Awaitable[Any]]


@dataclass(frozen=True)
class Method:
    name: str
    fn: Handler
    public: bool = False


METHODS: dict[str, Method] = {}


def rpc(name: str, *, public: bool = False) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        if name in METHODS:
            raise RuntimeError(f"duplicate rpc method {name}")
        METHODS[name] = Method(name, fn, public)
        return fn

    return register


class RpcError(Exception):
    def __init__(self, code: int, message: str, http_status: int = 200, data: Any = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status
        self.data = data


def invalid_params(message: str, data: Any = None) -> RpcError:
    return RpcError(-32602, message, 400, data)


def not_found(what: str) -> RpcError:
    return RpcError(-32004, f"{what} not found", 404)


def forbidden() -> RpcError:
    return RpcError(-32003, "forbidden", 403)


def conflict(message: str) -> RpcError:
    return RpcError(-32009, message, 409)


def parse(model: type[BaseModel], params: dict):
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        raise invalid_params("invalid params", exc.errors(include_url=False, include_input=False))


WRITERS = ("owner", "editor")
ANY_ROLE = ("owner", "editor", "viewer")


async def membership(client: Any, workspace_id: str, sub: str) -> dict | None:
    resp = await client.get_item(
        TableName=MEMBERS,
        Key={"workspace_id": {"S": workspace_id}, "user_sub": {"S": sub}},
        ConsistentRead=True,
    )
    return resp.get("Item")


async def require_member(ctx: Context, workspace_id: str, roles: tuple[str, ...] = ANY_ROLE) -> str:
    member = await membership(ctx.client, workspace_id, ctx.caller.sub)
    if member is None or member["role"]["S"] not in roles:
        raise not_found("workspace")
    return member["role"]["S"]
