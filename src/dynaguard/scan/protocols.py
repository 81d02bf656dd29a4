"""What the query engines need from the project index, as protocols.

index.py builds the `Project` and, in it, the engines: `infer.Types`, `provenance.Values`
and `authn.Behaviour`; fastapi.py, calls.py and flow.py fill or read its facts. Those
modules name the index by the `Project` protocol below, never by index.py, so index.py
sits on top of them and nothing in scan/ imports in a cycle (tests/scan/test_layout.py).
index.Project satisfies these protocols; mypy checks it where the index passes itself.
"""

from __future__ import annotations

import ast
from collections.abc import Hashable
from typing import Protocol

from dynaguard.core.config import Config
from dynaguard.scan import locals as loc
from dynaguard.scan.fixpoint import CallKey, Solver
from dynaguard.scan.frames import Event, Frame, Site
from dynaguard.scan.iac.model import IacFacts
from dynaguard.scan.model import (
    CallSite,
    ClassInfo,
    ClassRef,
    Dependency,
    DynamoCall,
    ExceptionHandler,
    FunctionInfo,
    Handle,
    Include,
    Middleware,
    Route,
    Router,
)
from dynaguard.scan.symbols import ModuleInfo
from dynaguard.scan.value import Value

Symbol = FunctionInfo | ClassRef | tuple[str, str] | str | None


class TypesAPI(Protocol):
    """Abstract types of expressions (infer.Types)."""

    def of(self, expr: ast.expr, frame: Frame) -> Handle | ClassRef | None:
        """The abstract type of an expression in a frame."""
        ...


class ValuesAPI(Protocol):
    """Provenance of expressions (provenance.Values)."""

    @property
    def p(self) -> Project:
        """The project the values are computed over."""
        ...

    recursive: dict[str, list[CallSite]] | None

    def of(self, expr: ast.expr, frame: Frame) -> Value:
        """Where an expression's value comes from."""
        ...

    def text(self, expr: ast.expr, frame: Frame) -> str | None:
        """A statically built string."""
        ...

    def arg(self, call: DynamoCall, name: str, frame: Frame) -> Value | None:
        """The value of a DynamoDB call's named argument."""
        ...

    def reads(self) -> dict[CallKey, DynamoCall]:
        """The project's DynamoDB reads by their stable key (DynamoCall.key)."""
        ...

    def target(self, call: ast.Call, frame: Frame) -> FunctionInfo | ClassRef | None:
        """The project function or class a call runs."""
        ...

    def dotted(self, expr: ast.expr, frame: Frame) -> str:
        """The dotted name of an expression."""
        ...


class BehaviourAPI(Protocol):
    """What dependencies, middleware and endpoints do with credentials (authn.Behaviour)."""

    def authenticates(self, dep: Dependency) -> bool:
        """Whether a dependency verifies a credential."""
        ...

    def identifies(self, dep: Dependency) -> bool:
        """Whether a dependency looks the caller up by a credential, None when absent."""
        ...

    def privileged(self, route: Route) -> str | None:
        """The evidence that a route is restricted to administrators."""
        ...

    def endpoint_privileged(self, route: Route, first_write: int | None) -> str | None:
        """The endpoint's own role check before its first write (its line), if any."""
        ...

    def endpoint_verifies(self, route: Route) -> bool:
        """Whether the endpoint itself verifies a credential."""
        ...

    def checks_scheme(self, fn: FunctionInfo, dep: Dependency) -> bool:
        """Whether a function checks the value of a security scheme dependency."""
        ...

    def middleware_rejects(self, qualname: str) -> bool:
        """A middleware verifies the credential and refuses the request when that fails."""
        ...

    def middleware_verifies(self, qualname: str) -> bool:
        """Whether a middleware verifies a credential."""
        ...


class Project(Protocol):
    """The project index (index.Project) as the engines see it."""

    config: Config
    modules: dict[str, ModuleInfo]
    functions: dict[str, FunctionInfo]
    classes: dict[str, ClassInfo]
    routers: dict[str, Router]
    includes: list[Include]
    routes: list[Route]
    calls: list[DynamoCall]
    callsites: dict[str | None, list[CallSite]]
    exception_handlers: list[ExceptionHandler]
    middlewares: list[Middleware]
    unknown_shapes: list[tuple[str, int, str]]
    truncated: list[tuple[str, int, str]]
    iac: IacFacts
    events_cache: dict[Hashable, list[Event]]
    answers: dict[Hashable, object]  # queries.memo.once (complete only once linked)
    syntax: dict[Hashable, object]  # facts of one function's own syntax: valid at any time
    linked: bool
    method_names: set[str]
    reach_index: tuple[dict[str, list[str]], dict[str, list[int]]] | None
    solver: Solver

    @property
    def types(self) -> TypesAPI:
        """Abstract types of expressions."""
        ...

    @property
    def values(self) -> ValuesAPI:
        """Provenance of expressions."""
        ...

    @property
    def behaviour(self) -> BehaviourAPI:
        """What the code does with credentials."""
        ...

    @property
    def app_has_auth(self) -> bool:
        """Whether any route or middleware authenticates."""
        ...

    def module_of(self, fn: FunctionInfo) -> ModuleInfo:
        """The module that defines a function."""
        ...

    def locals_of(self, frame: Frame) -> loc.Locals:
        """The assignment tables of the frame's function or module."""
        ...

    def find_module(self, name: str, near: str) -> ModuleInfo | None:
        """A module by dotted name."""
        ...

    def resolve_name(
        self, name: str, mod: ModuleInfo, seen: frozenset[str] = frozenset()
    ) -> Symbol:
        """What a bare name means in a module."""
        ...

    def resolve_dotted(self, target: str, near: str, seen: frozenset[str] = frozenset()) -> Symbol:
        """A dotted name to a project symbol, else the text itself."""
        ...

    def resolve_expr(self, expr: ast.expr, mod: ModuleInfo) -> Symbol:
        """A Name/Attribute expression to a symbol."""
        ...

    def mro(self, cls_qual: str) -> list[ClassInfo]:
        """A project class and its project base classes."""
        ...

    def method(self, cls_qual: str, name: str) -> FunctionInfo | None:
        """A method looked up through the project base classes."""
        ...

    def resolve_call_target(
        self, call: ast.Call, frame: Frame, types: TypesAPI
    ) -> FunctionInfo | ClassRef | None:
        """The project function (or class, for a constructor) that a call runs."""
        ...

    def dependency_of(self, fn: FunctionInfo, param: str) -> FunctionInfo | None:
        """The function behind a parameter's Depends()."""
        ...

    def depends_call(
        self, expr: ast.expr, mod: ModuleInfo, seen: frozenset[tuple[str, str]] = frozenset()
    ) -> ast.Call | None:
        """The Depends()/Security() call in a default, an Annotated[...] or an alias."""
        ...

    def constant_text(self, expr: ast.expr, frame: Frame) -> str | None:
        """A string the expression statically evaluates to."""
        ...

    def sites(self, call: DynamoCall) -> list[Site]:
        """One Site per route that reaches the call."""
        ...

    def add_site(self, call: DynamoCall, site: Site) -> None:
        """Record that a route reaches a call."""
        ...

    def route_of(self, fn: FunctionInfo) -> Route | None:
        """The route whose endpoint is this function."""
        ...

    def calls_in(self, fn: FunctionInfo | None) -> list[DynamoCall]:
        """The DynamoDB calls written inside a function."""
        ...
