"""The audit trail: every change to people, roster and settings, with who made it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from warmline.models import AuditEvent


def record(
    session: Session,
    action: str,
    target_type: str,
    target_id: int | None,
    *,
    actor_id: int | None = None,
    via: str = "cli",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session; the caller's commit makes it durable."""
    event = AuditEvent(
        action=action,
        target_type=target_type,
        target_id=target_id,
        actor_id=actor_id,
        via=via,
        detail=detail or {},
    )
    session.add(event)
    return event
