import logging
from uuid import uuid4

from .models import AuditEvent

log = logging.getLogger("support.audit")


def record_audit(actor: str, action: str, target: str) -> None:
    """Run from BackgroundTasks after the response has been sent."""
    event = AuditEvent(str(uuid4()), actor=actor, action=action, target=target)
    try:
        event.save()
    except Exception:  # audit must never break a request
        log.exception("audit write failed: %s %s %s", actor, action, target)
