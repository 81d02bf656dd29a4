"""The query API: what a rule may ask of the linked model, under names that stay put.

A rule imports from here only (plus `dynaguard.core`), and never walks syntax trees: when a
question is missing, it is added here, so that every rule shares one answer. The model
behind these functions is the engine's business and may change; these signatures do not.
QUERY_API.md describes them with an example.
"""

from __future__ import annotations

from dynaguard.core.config import Config
from dynaguard.core.findings import JSON, Confidence, Finding, Severity
from dynaguard.core.registry import RuleMeta
from dynaguard.scan.flow import check_then_act as _check_then_act
from dynaguard.scan.flow import condition as _condition
from dynaguard.scan.flow import events as _events
from dynaguard.scan.flow import item_value as _item_value
from dynaguard.scan.flow import key_value as _key_value
from dynaguard.scan.frames import Event, Site
from dynaguard.scan.index import Project
from dynaguard.scan.model import (
    KEYED_OPS,
    READ_OPS,
    WRITE_OPS,
    DynamoCall,
    FunctionInfo,
    Handle,
    HandleKind,
    ParamSource,
    Route,
    RouteParam,
)
from dynaguard.scan.report import KEY_NAME, OWNER_NAME, at_call, where
from dynaguard.scan.report import meta as _meta
from dynaguard.scan.report import request_sources as _request_sources
from dynaguard.scan.value import REQUEST_ORIGINS, Origin, Source, Value

__all__ = [
    "JSON",
    "KEYED_OPS",
    "KEY_NAME",
    "OWNER_NAME",
    "READ_OPS",
    "REQUEST_ORIGINS",
    "WRITE_OPS",
    "Confidence",
    "DynamoCall",
    "Event",
    "Finding",
    "FunctionInfo",
    "Handle",
    "HandleKind",
    "Origin",
    "ParamSource",
    "Project",
    "Route",
    "RouteParam",
    "Severity",
    "Site",
    "Source",
    "Value",
    "app_authenticates",
    "argument",
    "authenticated",
    "check_then_act",
    "condition",
    "config",
    "event_location",
    "expression_text",
    "finding",
    "flow",
    "function_of",
    "item",
    "key",
    "meta",
    "operations",
    "principal_params",
    "privileged",
    "request_sources",
    "routes",
    "sites",
]

# -- what the code does with DynamoDB ---------------------------------------------------


def operations(project: Project) -> list[DynamoCall]:
    """Every DynamoDB operation, in every style (resource, client, aioboto3, PynamoDB)."""
    return project.calls


def sites(project: Project, call: DynamoCall) -> list[Site]:
    """One Site per route reaching the call (route None when none does), with its path."""
    return project.sites(call)


def key(project: Project, call: DynamoCall, site: Site) -> Value | None:
    """The key an operation addresses (Key=, PynamoDB hash/range, a query's key condition)."""
    return _key_value(project, call, site.frame)


def item(project: Project, call: DynamoCall, site: Site) -> Value | None:
    """The item a put writes (Item=, a PynamoDB model's fields)."""
    return _item_value(project, call, site.frame)


def condition(project: Project, call: DynamoCall, site: Site) -> Value | None:
    """The condition an operation carries (ConditionExpression, PynamoDB condition=)."""
    return _condition(project, call, site.frame)


def argument(project: Project, call: DynamoCall, name: str, site: Site) -> Value | None:
    """Any keyword argument's value (`**kwargs` spreads included); None when not passed."""
    return project.values.arg(call, name, site.frame)


def expression_text(project: Project, call: DynamoCall, name: str, site: Site) -> str | None:
    """The one string an expression argument is statically built to, if there is one."""
    found = project.values.arg(call, name, site.frame)
    return next(iter(found.texts)) if found is not None and len(found.texts) == 1 else None


def function_of(project: Project, call: DynamoCall) -> FunctionInfo | None:
    """The project function an operation is written in (None at module level)."""
    return project.functions.get(call.function or "")


# -- routes, authentication and the request's path ---------------------------------------


def routes(project: Project) -> list[Route]:
    """Every path operation (methods, full paths, parameters, dependencies at every level)."""
    return project.routes


def authenticated(route: Route) -> bool:
    """The route verifies its caller (by what its dependencies/middleware do)."""
    return route.authenticated


def privileged(route: Route) -> str | None:
    """The dependency that compares the caller's role and raises otherwise, if any."""
    return route.privileged


def app_authenticates(project: Project) -> bool:
    """Some route or middleware of the project verifies a credential."""
    return project.app_has_auth


def principal_params(route: Route) -> list[RouteParam]:
    """The endpoint's parameters that hold the authenticated caller."""
    return [p for p in route.params if p.source is ParamSource.PRINCIPAL]


def flow(project: Project, route: Route) -> list[Event]:
    """Reads, checks and writes one request performs, in order (dependencies first)."""
    return _events(project, route)


def check_then_act(project: Project, site: Site, call: DynamoCall) -> tuple[Event, Event] | None:
    """(the check, the write) when this write follows a check of a read item's attributes
    that its condition does not re-assert; None otherwise."""
    return _check_then_act(project, site.route, call) if site.route is not None else None


def event_location(event: Event) -> dict[str, JSON]:
    """Where an event is, for evidence: path, line, function."""
    return where(event)


def config(project: Project) -> Config:
    """The run's configuration (owner_attributes, server_fields, ...)."""
    return project.config


def request_sources(value: Value) -> set[Source]:
    """The parts of a value a client chooses (path, query, body) that key rules judge."""
    return _request_sources(value)


# -- reporting ---------------------------------------------------------------------------


def meta(rule_id: str) -> RuleMeta:
    """A registered rule's metadata (the rule's own @register block)."""
    return _meta(rule_id)


def finding(
    rule: RuleMeta,
    call: DynamoCall,
    route: Route | None,
    message: str,
    *,
    evidence: dict[str, JSON] | None = None,
    severity: Severity | None = None,
    confidence: Confidence | None = None,
) -> Finding:
    """A finding at an operation (stable fingerprint: function + operation + table)."""
    return at_call(
        rule, call, route, message, evidence=evidence, severity=severity, confidence=confidence
    )
