"""The audit trail: every change to people, roster and settings, with who made it."""

from __future__ import annotations

from dataclasses import fields
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline.models import AuditEvent


class FieldRefused(ValueError):
    """A value a row refuses, with the name of the field it was for."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


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


def _plain(target: object, names: list[str]) -> dict[str, Any]:
    values = {name: getattr(target, name) for name in names}
    return {name: v.value if isinstance(v, Enum) else v for name, v in values.items()}


def update(
    session: Session,
    target: Any,
    values: Any,
    *,
    action: str,
    target_type: str,
    actor_id: int | None,
    via: str,
    **detail: Any,
) -> dict[str, list[Any]]:
    """Copy a dataclass's fields onto a row, auditing what changed as [before, after].

    A value the row refuses raises FieldRefused naming its field.
    """
    names = [f.name for f in fields(values)]
    before = _plain(target, names)
    for name in names:
        try:
            setattr(target, name, getattr(values, name))
        except ValueError as error:
            raise FieldRefused(name, str(error)) from None
    after = _plain(target, names)
    changed = {name: [before[name], after[name]] for name in names if before[name] != after[name]}
    if changed:
        record(
            session,
            action,
            target_type,
            target.id,
            actor_id=actor_id,
            via=via,
            detail={**detail, "changed": changed},
        )
    return changed


# The audit page looks this far back for the events it may show.
EVENTS_SEARCHED = 1000


def events_about(session: Session, line_ids: set[int] | None, limit: int) -> list[AuditEvent]:
    """Return the newest events about these lines or about people; every event for None."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    events = session.scalars(query.limit(EVENTS_SEARCHED))
    return [
        e
        for e in events
        if line_ids is None
        or (e.detail or {}).get("line_id") in line_ids
        or (e.target_type == "line" and e.target_id in line_ids)
        or e.target_type == "user"
    ][:limit]


def last_purge(session: Session, line_id: int) -> dict[str, Any] | None:
    """Return when the retention purge last ran and how many of this line's contacts it removed."""
    event = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "retention.purge")
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    ).first()
    if event is None:
        return None
    removed = (event.detail or {}).get("removed", {})
    return {"at": event.at, "removed": int(removed.get(str(line_id), 0))}
