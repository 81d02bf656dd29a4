"""Which calls verify a credential, and which parameter annotations carry one (authn.py)."""

from __future__ import annotations

import ast
from collections.abc import Callable

from dynaguard.scan.symbols import ModuleInfo, dotted, last_name

VERIFY_CALLS = frozenset(
    {
        "jwt.decode",
        "jwt.decode_complete",
        "jwt.api_jwt.decode",
        "jose.jwt.decode",
        "jose.jws.verify",
        "authlib.jose.jwt.decode",
        "joserfc.jwt.decode",
        "cognitojwt.decode",
        "cognitojwt.decode_async",
        "firebase_admin.auth.verify_id_token",
        "firebase_admin.auth.verify_session_cookie",
        "google.oauth2.id_token.verify_oauth2_token",
        "google.oauth2.id_token.verify_token",
        "google.oauth2.id_token.verify_firebase_token",
        "hmac.compare_digest",
        "secrets.compare_digest",
        "bcrypt.checkpw",
    }
)
# Objects of these packages, and their methods that verify (pwd_context.verify(...)).
VERIFY_METHODS = {
    "passlib": frozenset({"verify", "verify_and_update"}),
    "argon2": frozenset({"verify"}),
    "auth0": frozenset({"verify"}),
    "keycloak": frozenset({"decode_token"}),  # python-keycloak: verifies with the realm key
    "jwt": frozenset({"decode", "decode_complete"}),
    "jose": frozenset({"decode"}),
    "authlib": frozenset({"decode", "validate"}),
    "itsdangerous": frozenset({"loads"}),
    "fastapi_jwt_auth": frozenset({"jwt_required", "fresh_jwt_required"}),
}
# Packages whose dependency objects verify tokens themselves.
AUTH_LIBRARIES = frozenset(
    {"fastapi_cloudauth", "fastapi_users", "fastapi_azure_auth", "fastapi_auth0", "fastapi_jwt"}
)
CREDENTIAL_TYPES = frozenset({"HTTPAuthorizationCredentials", "HTTPBasicCredentials"})
REQUEST_TYPES = frozenset({"Request", "HTTPConnection", "WebSocket"})


# an imported name -> (the module defining it, the value it is assigned), when in the project
Imported = Callable[[str, ModuleInfo], tuple[ModuleInfo, ast.expr] | None]


def verifier(call: ast.Call, mod: ModuleInfo, imported: Imported) -> bool:
    """A call that verifies a token, password or key."""
    name = dotted(call.func, mod) or ""
    if name in VERIFY_CALLS:
        return not unverified(call)
    f = call.func
    if not isinstance(f, ast.Attribute):
        return False
    if f.attr == "get_user" and any(k.arg == "AccessToken" for k in call.keywords):
        return True  # Cognito checks the access token
    recv = f.value
    if isinstance(recv, ast.Name) and recv.id in mod.globals:
        recv = mod.globals[recv.id][0]
    elif isinstance(recv, ast.Name) and recv.id in mod.imports:
        found = imported(recv.id, mod)
        if found is not None:
            mod, recv = found
    if isinstance(recv, ast.Call):
        root = (dotted(recv.func, mod) or "").split(".")[0]
        return f.attr in VERIFY_METHODS.get(root, frozenset()) and not unverified(call)
    return False


def marker(expr: ast.expr, mod: ModuleInfo) -> str | None:
    """`Header()` -> Header; `Annotated[str, Header()]` -> Header; `Request` -> Request."""
    if isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Tuple):
        for e in expr.slice.elts[1:]:
            found = marker(e, mod)
            if found in ("Header", "Cookie"):
                return found
        return marker(expr.slice.elts[0], mod)
    if isinstance(expr, ast.BinOp):  # HTTPAuthorizationCredentials | None
        return marker(expr.left, mod) or marker(expr.right, mod)
    if isinstance(expr, ast.Call):
        expr = expr.func
    if isinstance(expr, ast.Name | ast.Attribute):
        return (dotted(expr, mod) or "").rsplit(".", 1)[-1]
    return None


def unverified(call: ast.Call) -> bool:
    """`jwt.decode(t, options={"verify_signature": False})` reads a token, checks nothing."""
    opts = next((k.value for k in call.keywords if k.arg == "options"), None)
    if isinstance(opts, ast.Dict):
        for k, v in zip(opts.keys, opts.values, strict=True):
            if isinstance(k, ast.Constant) and k.value == "verify_signature":
                return isinstance(v, ast.Constant) and v.value is False
    return False


def gateway_verified(found: list[ast.AST]) -> bool:
    """A body that reads the Lambda event Mangum keeps in the ASGI scope
    (`request.scope["aws.event"]`) and, from it, the authorizer's claims."""
    event = any(
        (read := _key_read(n)) is not None
        and read[0] == "aws.event"
        and isinstance(read[1], ast.Attribute)
        and read[1].attr == "scope"
        for n in found
    )
    # (the event and the context may be read apart: `ctx = _request_context(request)`,
    # then `ctx.get("authorizer")`; an IAM-signed caller's `identity.userArn` too)
    keys = {read[0] for n in found if (read := _key_read(n)) is not None}
    apart = "requestContext" in keys and bool(keys & GATEWAY_IDENTITY)
    return event and (apart or any(gateway_claims(n) for n in found))


# what API Gateway fills in only for a caller its authorizer or IAM (SigV4) verified
GATEWAY_IDENTITY = frozenset({"authorizer", "userArn", "cognitoIdentityId"})


def gateway_claims(node: ast.AST) -> bool:
    """A read of the authorizer context API Gateway put in the Lambda event
    (`event["requestContext"]["authorizer"]`, `.get("requestContext", {}).get("authorizer")`,
    the event Mangum hands the app as `request.scope["aws.event"]`): claims the gateway
    verified before the code ran."""
    outer = _key_read(node)
    if outer is None or outer[0] != "authorizer":
        return False
    inner = _key_read(outer[1])
    return inner is not None and inner[0] == "requestContext"


def _key_read(node: ast.AST) -> tuple[str, ast.expr] | None:
    """(key, container) of `container["key"]` or `container.get("key", ...)`."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        key = node.slice.value
        return (key, node.value) if isinstance(key, str) else None
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value, node.func.value
    return None


def fixed_secret(
    found: list[ast.AST], mod: ModuleInfo, creds: frozenset[str], *, respond: bool = False
) -> bool:
    """The body admits only holders of one secret the code keeps, and raises otherwise:
    `compare_digest(token, ADMIN_TOKEN)`, `if token != settings.admin_token: raise`. Its
    callers are operators (or one partner system), not users with objects of their own.
    The comparison must decide the raise: it sits in the test of an `if` that raises or of
    an `assert` (directly, or through a name bound to its result); with `respond` (a
    middleware), of an `if` that answers with an error response. The kept side may be a
    digest under the kept key (`expected = hmac.new(SIGNING_KEY, payload).hexdigest()`)."""
    decided = raise_deciders(found, respond=respond)
    bound = _bound(found)
    for n in decided:
        if isinstance(n, ast.Call) and last_name(n) == "compare_digest" and len(n.args) == 2:
            sides = list(n.args)
        elif isinstance(n, ast.Compare) and len(n.ops) == 1 and isinstance(n.ops[0], ast.NotEq):
            sides = [n.left, n.comparators[0]]
        else:
            continue
        roots = [_root(s) for s in sides]
        kept = [r for r in roots if r is not None and r not in creds]
        if any(r in creds for r in roots) and any(
            r in mod.globals or r in mod.imports or _keyed(bound.get(r), mod) for r in kept
        ):
            return True
    return False


def _keyed(value: ast.expr | None, mod: ModuleInfo) -> bool:
    """A value computed with a module-level secret as an argument (`hmac.new(KEY, ...)`)."""
    return value is not None and any(
        isinstance(c, ast.Call)
        and any(isinstance(a, ast.Name) and a.id in mod.globals for a in c.args)
        for c in ast.walk(value)
    )


def _bound(found: list[ast.AST]) -> dict[str, ast.expr]:
    return {
        t.id: n.value
        for n in found
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name)
    }


def _root(e: ast.expr) -> str | None:
    """`settings.admin_token` -> settings; `TOKEN` -> TOKEN; anything else None."""
    while isinstance(e, ast.Attribute):
        e = e.value
    return e.id if isinstance(e, ast.Name) else None


def rejects(found: list[ast.AST]) -> bool:
    """The body refuses some requests: it raises, or builds an error response
    (`JSONResponse(..., 401)`) instead of passing the request on."""
    return any(
        isinstance(n, ast.Raise)
        or (isinstance(n, ast.Call) and (last_name(n) or "").endswith("Response"))
        for n in found
    )


def raise_deciders(found: list[ast.AST], *, respond: bool = False) -> list[ast.AST]:
    """Every node that decides a raise: inside the test of an `if` that raises or of an
    `assert`, a name there standing for the value bound to it (`ok = compare_digest(...)`,
    then `if not ok: raise`); with `respond`, also an `if` that returns a `...Response`."""
    bound = _bound(found)
    out: list[ast.AST] = []
    for n in found:
        raising = isinstance(n, ast.If) and any(
            isinstance(r, ast.Raise) or (respond and _responds(r))
            for s in n.body + n.orelse
            for r in ast.walk(s)
        )
        if not (raising or isinstance(n, ast.Assert)):
            continue
        assert isinstance(n, ast.If | ast.Assert)
        for x in ast.walk(n.test):
            out.append(x)
            if isinstance(x, ast.Name) and x.id in bound:
                out += ast.walk(bound[x.id])
    return out


def _responds(n: ast.AST) -> bool:
    """`return JSONResponse(..., status_code=401)`: an answer instead of the app's."""
    value = n.value if isinstance(n, ast.Return) else None
    return isinstance(value, ast.Call) and (last_name(value) or "").endswith("Response")


def state_getattr(n: ast.AST, requests: set[str] | frozenset[str]) -> bool:
    """`getattr(request.state, ...)` on one of `requests`: what a middleware recorded."""
    f = n.func if isinstance(n, ast.Call) else None
    held = n.args[0] if isinstance(n, ast.Call) and n.args else None
    return (
        isinstance(f, ast.Name)
        and f.id == "getattr"
        and isinstance(held, ast.Attribute)
        and held.attr == "state"
        and isinstance(held.value, ast.Name)
        and held.value.id in requests
    )
