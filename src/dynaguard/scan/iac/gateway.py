"""Which paths API Gateway lets through only after an authorizer, read from the template.

A FastAPI app behind Mangum is often authenticated by the gateway, not by its own code: a
SAM `HttpApi`/`Api` with `Auth.DefaultAuthorizer` (a Lambda or Cognito authorizer) or
`AWS_IAM` on the function's events, or serverless.yml `http`/`httpApi` events with an
`authorizer`. Each event becomes a GatewayRoute: its path and method, and whether a
request reaches the function without passing an authorizer (`Authorizer: NONE`, or no
authorizer at all). The routes a template governs are those of the Python code under the
template's own directory (gateway_covers in scan/queries/principals.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

__all__ = ["GatewayRoute", "routes"]

EVENT_TYPES = frozenset({"Api", "HttpApi"})
APIS = frozenset({"AWS::Serverless::Api", "AWS::Serverless::HttpApi"})


@dataclass(frozen=True, slots=True)
class GatewayRoute:
    """One API Gateway route to the code, and whether an authorizer guards it."""

    path: str  # as written: /assets/{id}, /ops/{proxy+}, /{proxy+}
    method: str  # GET, POST... or ANY
    authorized: bool
    file: str  # the template, relative to the root
    line: int


def routes(doc: Mapping[str, object], rel: str) -> list[GatewayRoute]:
    """Every gateway route of a SAM template or a serverless.yml."""
    if "service" in doc and "provider" in doc:
        return list(_serverless(doc, rel))
    return list(_sam(doc, rel))


def _sam(doc: Mapping[str, object], rel: str) -> Iterator[GatewayRoute]:
    resources = doc.get("Resources")
    res: Mapping[str, object] = resources if isinstance(resources, dict) else {}
    defaults = {name: _default(r) for name, r in res.items() if _type(r) in APIS}
    implicit = {
        kind: _default({"Properties": _get(doc, "Globals", kind)}) for kind in ("Api", "HttpApi")
    }
    for r in res.values():
        events = _get(r, "Properties", "Events")
        for event in events.values() if isinstance(events, dict) else []:
            kind = _get(event, "Type")
            props = _get(event, "Properties")
            if kind not in EVENT_TYPES or not isinstance(props, dict):
                continue
            path, method = props.get("Path"), props.get("Method")
            if not isinstance(path, str) or not isinstance(method, str):
                continue
            api = props.get("RestApiId") or props.get("ApiId")
            ref = api.get("Ref") if isinstance(api, dict) else None
            default = defaults.get(ref, False) if ref else implicit[str(kind)]
            chosen = _get(props, "Auth", "Authorizer")
            authorized = default if chosen is None else str(chosen).upper() != "NONE"
            yield GatewayRoute(path, method.upper(), authorized, rel, line_of(props))


def _default(r: object) -> bool:
    """Whether an API resource (or SAM's Globals for the implicit API) guards every route
    with an authorizer unless an event opts out."""
    auth = _get(r, "Properties", "Auth")
    if not isinstance(auth, dict):
        return False
    chosen = auth.get("DefaultAuthorizer")
    return (chosen is not None and str(chosen).upper() != "NONE") or bool(
        auth.get("ApiKeyRequired")
    )


def _serverless(doc: Mapping[str, object], rel: str) -> Iterator[GatewayRoute]:
    functions = doc.get("functions")
    for fn in functions.values() if isinstance(functions, dict) else []:
        events = _get(fn, "events")
        for event in events if isinstance(events, list) else []:
            for kind in ("http", "httpApi"):
                spec = event.get(kind) if isinstance(event, dict) else None
                if spec is None:
                    continue
                line = line_of(event)
                if isinstance(spec, str):  # `http: ANY /{proxy+}`, `httpApi: '*'`
                    method, _, path = spec.partition(" ")
                    method = "ANY" if method == "*" else method.upper()
                    yield GatewayRoute(path or "/{proxy+}", method, False, rel, line)
                elif isinstance(spec, dict):
                    path, method = spec.get("path", "/{proxy+}"), str(spec.get("method", "ANY"))
                    authorized = bool(spec.get("authorizer")) or bool(spec.get("private"))
                    method = "ANY" if method == "*" else method.upper()
                    yield GatewayRoute("/" + str(path).lstrip("/"), method, authorized, rel, line)


def line_of(value: object) -> int:
    """The line a located value starts on (located.py; not imported: PyYAML is optional,
    and the model that holds these routes is imported by every scan)."""
    return getattr(value, "line", 0) or 1


def _get(value: object, *keys: str) -> object:
    for k in keys:
        value = value.get(k) if isinstance(value, dict) else None
    return value


def _type(r: object) -> str:
    kind = _get(r, "Type")
    return kind if isinstance(kind, str) else ""
