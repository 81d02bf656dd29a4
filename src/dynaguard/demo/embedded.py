"""An embedded DynamoDB API: moto's server, on 127.0.0.1, with request handling serialized.

Real DynamoDB applies each conditional write atomically per item. Moto's server handles
requests on threads with no lock, so two conditional writes that race can both succeed
and lose an update that DynamoDB never would. A lock around the whole WSGI dispatch
(response body included) restores the atomicity the tests and the demo rely on.

Moto keeps its state in module globals, one store per AWS account id, so every server in a
process would share the same tables. Each instance therefore answers as its own account: the
middleware stamps every request with the instance's account id (moto's `x-moto-account-id`
header, which outranks the access key), and `reset()` drops only that account's store.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from werkzeug.serving import BaseWSGIServer

REGION = "us-east-1"
# Moto accepts any credentials; fixed dummy ones keep boto3 from looking for real ones.
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

# Account ids for instances: 12 digits, never moto's default 123456789012.
_ACCOUNTS = itertools.count(100_000_000_001)
_ACCOUNT_HEADER = "HTTP_X_MOTO_ACCOUNT_ID"

StartResponse = Callable[..., object]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class EmbeddedError(RuntimeError):
    """The embedded DynamoDB could not start (moto missing, port taken...)."""


class _Instance:
    """WSGI middleware: this instance's account on every request, and optionally a lock.

    With the lock, one request runs at a time and its body is produced inside the lock.
    """

    def __init__(self, app: WSGIApp, account: str, lock: threading.Lock | None) -> None:
        self._app = app
        self._account = account
        self._lock = lock

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        # Set, never trusted from the client: a request cannot reach another instance's store.
        environ[_ACCOUNT_HEADER] = self._account
        if self._lock is None:
            return self._respond(environ, start_response)
        with self._lock:
            return self._respond(environ, start_response)

    def _respond(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        body = self._app(environ, start_response)
        try:
            return list(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()


def _quiet_handler() -> type:
    from werkzeug.serving import WSGIRequestHandler

    class Quiet(WSGIRequestHandler):
        """No access log: the demo and the tests print their own progress."""

        def log(self, type: str, message: str, *args: object) -> None:
            return None

    return Quiet


class EmbeddedDynamoDB:
    """Moto's DynamoDB server in a background thread of this process.

    `serialized=False` exists only so a test can show the race the lock prevents. Each
    instance has its own tables (its own moto account), so two servers in one process, or one
    server after another, never see each other's data.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, serialized: bool = True):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise EmbeddedError(f"the embedded DynamoDB binds to loopback only, not {host!r}")
        self._host = host
        self._port = port
        self._serialized = serialized
        self.account_id = f"{next(_ACCOUNTS):012d}"
        # Held by every request when serialized, and always by reset().
        self._lock = threading.Lock()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> EmbeddedDynamoDB:
        """Bind, serve in a daemon thread, and return self once accepting connections."""
        try:
            from moto.moto_server.werkzeug_app import (
                DomainDispatcherApplication,
                create_backend_app,
            )
            from werkzeug.serving import make_server
        except ImportError as exc:
            raise EmbeddedError(
                f"the embedded DynamoDB needs moto[server] ({exc.name} is missing); "
                "install with: python3 -m pip install 'dynaguard[all]'"
            ) from None
        if "MOTO_ACCOUNT_ID" in os.environ:
            # moto lets this variable outrank the per-request account: instances would share.
            raise EmbeddedError(
                "MOTO_ACCOUNT_ID is set; unset it so each embedded DynamoDB keeps its own tables"
            )
        app: WSGIApp = _Instance(
            DomainDispatcherApplication(create_backend_app),
            self.account_id,
            self._lock if self._serialized else None,
        )
        try:
            self._server = make_server(
                self._host, self._port, app, threaded=True, request_handler=_quiet_handler()
            )
        except OSError as exc:
            raise EmbeddedError(
                f"cannot listen on {self._host}:{self._port}: {exc.strerror}"
            ) from None
        # A short poll interval: stop() waits for the next poll (0.5 s by default), per server.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="embedded-dynamodb",
            daemon=True,
        )
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        """The bound port (an ephemeral one when started with port 0)."""
        if self._server is None:
            raise EmbeddedError("the embedded DynamoDB is not running")
        return int(self._server.server_port)

    @property
    def endpoint_url(self) -> str:
        """`http://127.0.0.1:PORT`, for AWS_ENDPOINT_URL_DYNAMODB or endpoint_url=."""
        return f"http://{self._host}:{self.port}"

    def env(self) -> dict[str, str]:
        """Standard AWS settings that point any SDK at this server."""
        return {
            "AWS_ENDPOINT_URL_DYNAMODB": self.endpoint_url,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        }

    def client_kwargs(self) -> dict[str, str]:
        """Keyword arguments for boto3/aioboto3 `client(...)`/`resource(...)`."""
        return {"endpoint_url": self.endpoint_url, "region_name": REGION, **CREDENTIALS}

    def reset(self) -> None:
        """Drop every table of this instance (others keep theirs), e.g. between tests.

        In process and cheap (no request, no restart): the next request starts from an empty
        account. moto's own `/moto-api/reset` would wipe every instance in the process.
        """
        from moto.core.base_backend import backend_lock
        from moto.dynamodb.models import dynamodb_backends

        with self._lock, backend_lock:
            dict.pop(dynamodb_backends, self.account_id, None)

    def stop(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
            self.reset()  # free this instance's tables: nothing else can reach them now

    def __enter__(self) -> EmbeddedDynamoDB:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def create_table(
    client: Any,
    name: str,
    *,
    hash_key: str,
    range_key: str | None = None,
    owner_index: tuple[str, str] | None = None,
) -> None:
    """Create an on-demand table (string keys); `owner_index` = (index name, owner attribute)."""
    attrs = {hash_key} | ({range_key} if range_key else set())
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    kwargs: dict[str, Any] = {
        "TableName": name,
        "KeySchema": schema,
        "BillingMode": "PAY_PER_REQUEST",
    }
    if owner_index:
        index, owner = owner_index
        attrs.add(owner)
        kwargs["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index,
                "KeySchema": [{"AttributeName": owner, "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ]
    kwargs["AttributeDefinitions"] = [
        {"AttributeName": a, "AttributeType": "S"} for a in sorted(attrs)
    ]
    client.create_table(**kwargs)


def running(port: int = 0) -> Iterator[EmbeddedDynamoDB]:
    """Generator form for pytest fixtures: start, yield, always stop."""
    server = EmbeddedDynamoDB(port=port).start()
    try:
        yield server
    finally:
        server.stop()
