"""Load an API description (OpenAPI 3.0/3.1, Swagger 2.0; JSON or YAML) into operations."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from dynaguard.core.findings import JSON
from dynaguard.probe.errors import ProbeError
from dynaguard.probe.refs import Resolver

MAX_SPEC_BYTES = 10_000_000
METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
Schema = dict[str, JSON]


@dataclass(frozen=True, slots=True, kw_only=True)
class Param:
    """One parameter of an operation."""

    name: str
    location: str  # path | query | header | cookie
    required: bool
    schema: Schema


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    """An OpenAPI 3 response link: this answer feeds `target`'s parameters.

    `parameters` maps a target parameter to a runtime expression (`$response.body#/id`).
    """

    target: str  # the linked operation's route, `GET /tickets/{ticket_key}`
    parameters: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Operation:
    """One method on one path, its inputs and the shape of its success answer."""

    method: str
    path: str
    params: tuple[Param, ...] = ()
    body_schema: Schema | None = None
    response_schema: Schema | None = None
    secured: bool = False
    links: tuple[Link, ...] = ()

    @property
    def route(self) -> str:
        """`METHOD /path/{template}`, the finding's route."""
        return f"{self.method} {self.path}"

    def path_params(self) -> list[Param]:
        """The path parameters, in template order."""
        return [p for p in self.params if p.location == "path"]


@dataclass(slots=True, kw_only=True)
class Spec:
    """The operations of an API, and what the spec said about where it is served."""

    version: str
    title: str
    operations: list[Operation]
    servers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_text(text: str, where: str) -> dict[str, JSON]:
    """Parse JSON or YAML text into a mapping; ProbeError on anything else."""
    if len(text) > MAX_SPEC_BYTES:
        raise ProbeError(f"spec {where}: larger than {MAX_SPEC_BYTES} bytes")
    doc: object
    try:
        doc = json.loads(text)
    except RecursionError:
        raise ProbeError(f"spec {where}: nested too deeply") from None
    except ValueError:
        try:
            import yaml

            doc = yaml.safe_load(text)
        except ImportError:
            raise ProbeError(f"spec {where}: not JSON (install pyyaml to read YAML)") from None
        except (yaml.YAMLError, RecursionError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ProbeError(f"spec {where}: neither JSON nor YAML ({first})") from None
    if not isinstance(doc, dict):
        raise ProbeError(f"spec {where}: not an OpenAPI document (top level is not a mapping)")
    return cast(dict[str, JSON], doc)


def read_file(path: Path) -> dict[str, JSON]:
    """Read and parse a spec file (at most MAX_SPEC_BYTES are read, whatever the file)."""
    try:
        # Read with a bound, not by size: /dev/zero or a pipe reports size 0 and never ends.
        with path.open("rb") as fh:
            data = fh.read(MAX_SPEC_BYTES + 1)
    except OSError as exc:
        raise ProbeError(f"spec {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_SPEC_BYTES:
        raise ProbeError(f"spec {path}: larger than {MAX_SPEC_BYTES} bytes")
    return parse_text(data.decode("utf-8", errors="replace"), str(path))


def build(doc: dict[str, JSON]) -> Spec:
    """Operations from a parsed document, references resolved."""
    version = _version(doc)
    resolver = Resolver(doc)
    paths = doc.get("paths")
    if not isinstance(paths, dict):
        raise ProbeError("spec: no 'paths' mapping")
    info = doc.get("info")
    title = str(info.get("title", "")) if isinstance(info, dict) else ""
    root_secured = _secured(doc.get("security"))
    # Swagger 2.0's basePath is part of every path, whatever host the spec names
    # (`host: localhost:5000`, `basePath: /api`): the routes are `/api/...`.
    base = str(doc.get("basePath") or "").rstrip("/") if version == "2.0" else ""
    base = base if base.startswith("/") and not base.startswith("//") else ""
    routes = _routes(paths, base)
    ops: list[Operation] = []
    for path, item in paths.items():
        if not isinstance(item, dict) or not path.startswith("/") or path.startswith("//"):
            # "//host/x" is a network-path reference (RFC 3986 4.2): another host, refused.
            if path.startswith("//"):
                resolver.notes.append(f"path {path[:80]!r} names another host; skipped")
            continue
        resolved = _as_dict(resolver.resolve(item))
        shared = _params(resolved.get("parameters"), version)
        for method in METHODS:
            raw = resolved.get(method)
            if isinstance(raw, dict):
                secured = _secured(raw.get("security"))
                ops.append(
                    _operation(
                        method.upper(),
                        base + path,
                        raw,
                        shared=shared,
                        version=version,
                        secured=bool(root_secured if secured is None else secured),
                        routes=routes,
                    )
                )
    return Spec(
        version=version,
        title=title,
        operations=ops,
        servers=_servers(doc, version),
        notes=resolver.notes,
    )


def _routes(paths: dict[str, JSON], base: str) -> dict[str, str]:
    """Where a link may point: operationId -> route, and `#/paths/...` pointer -> route."""
    out: dict[str, str] = {}
    for path, item in paths.items():
        for method in METHODS:
            raw = _as_dict(item).get(method)
            if not isinstance(raw, dict):
                continue
            route = f"{method.upper()} {base}{path}"
            escaped = path.replace("~", "~0").replace("/", "~1")
            out[f"#/paths/{escaped}/{method}"] = route
            if isinstance(raw.get("operationId"), str):
                out[str(raw["operationId"])] = route
    return out


def _links(raw: JSON, routes: dict[str, str]) -> tuple[Link, ...]:
    """The response's links whose target operation the spec has (others are ignored)."""
    out: list[Link] = []
    for link in _as_dict(raw).values():
        if not isinstance(link, dict):
            continue
        ref = link.get("operationRef") or link.get("operationId")
        # An operationRef may be absolute (`https://host/openapi.json#/paths/...`): its fragment.
        key = "#" + str(ref).partition("#")[2] if "operationRef" in link else str(ref)
        params = _as_dict(link.get("parameters"))
        if key in routes and params:
            pairs = tuple((str(k).split(".")[-1], str(v)) for k, v in params.items())
            out.append(Link(target=routes[key], parameters=pairs))
    return tuple(out)


def _version(doc: dict[str, JSON]) -> str:
    if str(doc.get("swagger", "")).startswith("2"):
        return "2.0"
    openapi = str(doc.get("openapi", ""))
    if openapi.startswith("3.0"):
        return "3.0"
    if openapi.startswith("3.1"):
        return "3.1"
    raise ProbeError("spec: neither 'openapi: 3.x' nor 'swagger: 2.0' (not an OpenAPI document)")


def _as_dict(node: JSON) -> dict[str, JSON]:
    return node if isinstance(node, dict) else {}


def _secured(security: JSON) -> bool | None:
    if not isinstance(security, list):
        return None
    # `security: [{}]` means "anonymous allowed"; any non-empty requirement means credentials.
    return bool(security) and all(isinstance(r, dict) and r for r in security)


def _params(raw: JSON, version: str) -> dict[tuple[str, str], Param]:
    out: dict[tuple[str, str], Param] = {}
    for p in raw if isinstance(raw, list) else []:
        if not isinstance(p, dict) or not isinstance(p.get("name"), str):
            continue
        loc = str(p.get("in", ""))
        if loc in ("body", "formData"):
            continue
        schema = (
            p.get("schema")
            if version != "2.0"
            else {
                k: v
                for k, v in p.items()
                if k
                in (
                    "type",
                    "format",
                    "enum",
                    "pattern",
                    "minimum",
                    "maximum",
                    "minLength",
                    "maxLength",
                    "default",
                )
            }
        )
        out[(str(p["name"]), loc)] = Param(
            name=str(p["name"]),
            location=loc,
            required=bool(p.get("required")) or loc == "path",
            schema=_as_dict(schema),
        )
    return out


def _json_schema(content: JSON) -> Schema | None:
    if not isinstance(content, dict):
        return None
    for mime, media in content.items():
        if ("json" in mime or mime == "*/*") and isinstance(media, dict):
            return _as_dict(media.get("schema"))
    return None


def _operation(
    method: str,
    path: str,
    raw: dict[str, JSON],
    *,
    shared: dict[tuple[str, str], Param],
    version: str,
    secured: bool,
    routes: dict[str, str],
) -> Operation:
    params = {**shared, **_params(raw.get("parameters"), version)}
    body: Schema | None = None
    if version == "2.0":
        raw_params = raw.get("parameters")
        for p in raw_params if isinstance(raw_params, list) else []:
            if isinstance(p, dict) and p.get("in") == "body":
                body = _as_dict(p.get("schema"))
    else:
        request = _as_dict(raw.get("requestBody"))
        body = _json_schema(request.get("content"))
    response: Schema | None = None
    links: tuple[Link, ...] = ()
    for code, resp in sorted(_as_dict(raw.get("responses")).items()):
        if str(code).startswith("2") and isinstance(resp, dict):
            response = (
                _as_dict(resp.get("schema"))
                if version == "2.0"
                else _json_schema(resp.get("content"))
            )
            links = _links(resp.get("links"), routes)
            break
    return Operation(
        method=method,
        path=path,
        params=tuple(params.values()),
        body_schema=body,
        response_schema=response,
        secured=secured,
        links=links,
    )


def _servers(doc: dict[str, JSON], version: str) -> list[str]:
    if version == "2.0":
        host = doc.get("host")
        if not isinstance(host, str):
            return []  # the basePath is already in every operation's path
        schemes = doc.get("schemes")
        scheme = schemes[0] if isinstance(schemes, list) and schemes else "https"
        return [f"{scheme}://{host}"]
    servers = doc.get("servers")
    out: list[str] = []
    for s in servers if isinstance(servers, list) else []:
        if isinstance(s, dict) and isinstance(s.get("url"), str):
            out.append(str(s["url"]))
    return out
