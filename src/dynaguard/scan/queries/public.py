"""Routes public by design (sign-up, login, token, password reset), known by what they do.

A route is public when it, or a helper it calls, issues a credential (signs a token, signs
a user in or up with Cognito, stores a secret it generates), hashes or verifies a password,
or creates a record only if none exists yet from what the request sends while its name or
path says sign-up (there the name confirms a behaviour; it never decides alone).
"""

from __future__ import annotations

import ast
import re

from dynaguard.scan.authn_verify import verifier
from dynaguard.scan.flow import condition, item_value
from dynaguard.scan.frames import Site
from dynaguard.scan.index import Project
from dynaguard.scan.model import DynamoCall, Route
from dynaguard.scan.provenance import Origin
from dynaguard.scan.queries.memo import once
from dynaguard.scan.queries.principals import SECRETS, issuing_functions, writes_by_route
from dynaguard.scan.symbols import ModuleInfo, dotted
from dynaguard.scan.walk import nodes, own_nodes

__all__ = ["PUBLIC", "public_route"]

# Names of routes public by design (sign-up, login...): a hint only, never a decider
# (`public_route` decides by behaviour). Whole words only: `/authors/{id}` is no login
# and `get_author_repo` no authentication.
PUBLIC = re.compile(
    r"(?i)(?<![a-z])(sign_?up|register|registration|log_?in|sign_?in|tokens?|oauth2?|auth"
    r"|password|forgot|reset|verify|confirm|webhooks?|callbacks?|invit[a-z]*)(?![a-z])"
)
# Calls, and methods of these packages' objects, that hash a password (a sign-up stores one).
HASH_CALLS = frozenset(
    {
        "bcrypt.hashpw",
        "werkzeug.security.generate_password_hash",
        "hashlib.pbkdf2_hmac",
        "hashlib.scrypt",
    }
)
HASH_METHODS = {
    "passlib": frozenset({"hash", "encrypt"}),
    "argon2": frozenset({"hash"}),
    "pwdlib": frozenset({"hash"}),
}


def public_route(project: Project, route: Route) -> bool:
    """Sign-up, login, token, password-reset and webhook routes: public by design, decided
    by what the route does (directly or through a helper it calls), never by its name:

    - it issues a credential: signs a token, signs a user in or up with Cognito, or stores
      a secret it generates (an API key, a reset token);
    - it hashes or verifies a password, a key or a signature (a sign-up or a login);
    - it creates a record only if none exists yet (`attribute_not_exists`), from what the
      request sends, and its name or path says sign-up (the name only confirms what the
      route does: the caller claims a new account, and can overwrite nobody's).
    """
    fn = project.functions[route.function]
    helpers = [project.functions.get(cs.callee) for cs in project.callsites.get(fn.qualname, [])]
    issuing = once(project, "issuing", issuing_functions)
    for f in [fn, *helpers]:
        if f is None:
            continue
        if f.qualname in issuing:
            return True
        mod = project.module_of(f)
        if any(_password(project, node, mod) for node in own_nodes(f.node)):
            return True
    named = bool(PUBLIC.search(fn.name)) or any(PUBLIC.search(p) for p in route.full_paths)
    return any(
        _stores_secret(project, call, site)
        or (named and _creates_from_request(project, call, site))
        for call in writes_by_route(project).get(id(route), [])
        for site in project.sites(call)
        if site.route is route
    )


def _password(project: Project, node: ast.AST, mod: ModuleInfo) -> bool:
    """A call that hashes a password (sign-up) or verifies one, a key or a signature."""
    if not isinstance(node, ast.Call):
        return False

    def imported(name: str, m: ModuleInfo) -> tuple[ModuleInfo, ast.expr] | None:
        sym = project.resolve_name(name, m)
        if isinstance(sym, tuple) and project.modules[sym[0]].globals.get(sym[1]):
            home = project.modules[sym[0]]
            return home, home.globals[sym[1]][0]
        return None

    if verifier(node, mod, imported) or (dotted(node.func, mod) or "") in HASH_CALLS:
        return True
    f = node.func
    if not isinstance(f, ast.Attribute) or not isinstance(f.value, ast.Name):
        return False
    found: tuple[ModuleInfo, ast.expr] | None = None
    if f.value.id in mod.globals:
        found = mod, mod.globals[f.value.id][0]
    elif f.value.id in mod.imports:
        found = imported(f.value.id, mod)
    if found is None or not isinstance(found[1], ast.Call):
        return False
    root = (dotted(found[1].func, found[0]) or "").split(".")[0]
    return f.attr in HASH_METHODS.get(root, frozenset())


def _stores_secret(project: Project, call: DynamoCall, site: Site) -> bool:
    """The write stores a secret the server generates (`secrets.token_urlsafe()`)."""
    item = item_value(project, call, site.frame)
    return any(
        s.origin is Origin.SERVER and s.name in SECRETS
        for _, v in (item.fields or () if item is not None else ())
        for s in v.sources
    )


def _creates_from_request(project: Project, call: DynamoCall, site: Site) -> bool:
    """A put only if no item has the key yet, of values the request sends."""
    if call.operation != "put_item":
        return False
    cond = condition(project, call, site.frame)
    texts = cond.strings | cond.texts if cond is not None else frozenset()
    if not any("attribute_not_exists" in t for t in texts) and not any(
        isinstance(n, ast.Attribute) and n.attr in ("not_exists", "does_not_exist")
        for n in nodes(call.node)
    ):
        return False
    item = item_value(project, call, site.frame)
    return any(
        s.origin in (Origin.BODY, Origin.QUERY, Origin.PATH)
        for _, v in (item.fields or () if item is not None else ())
        for s in v.all_sources()
    )
