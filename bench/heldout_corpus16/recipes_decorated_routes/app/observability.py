"""Tracing, structured logging and the small decorators the routes stack."""
import functools
import os
import time
from typing import Any, Callable

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "recipes")

tracer = Tracer(service=SERVICE)
logger = Logger(service=SERVICE)
metrics = Metrics(namespace="Recipes", service=SERVICE)


def audit(action: str) -> Callable:
    """Log an audit line around a route; failures are logged and re-raised."""

    def decorator(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                result = func(*args, **kwargs)
            except Exception:
                logger.exception("audit failure", extra={"action": action})
                metrics.add_metric(name=f"{action}.error", unit=MetricUnit.Count, value=1)
                raise
            logger.info(
                "audit",
                extra={
                    "action": action,
                    "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return result

        return wrapper

    return decorator


def cached(ttl: int = 30) -> Callable:
    """Tiny per-container memo for public reads (a Lambda container lives minutes)."""

    def decorator(func: Callable) -> Callable:
        store: dict[tuple, tuple[float, Any]] = {}

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = (args, tuple(sorted(kwargs.items())))
            hit = store.get(key)
            now = time.monotonic()
            if hit and now - hit[0] < ttl:
                return hit[1]
            value = func(*args, **kwargs)
            store[key] = (now, value)
            return value

        return wrapper

    return decorator
