"""Specialists on shift: starting, pausing and ending the time they take calls."""

from __future__ import annotations

from datetime import datetime

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline import audit
from warmline.jobs import Jobs
from warmline.live import LiveLine, now_ms
from warmline.models import Line, Shift, User


class NotRostered(PermissionError):
    """The specialist has no shift on this line now, and no coordinator overrode that."""


def is_rostered(session: Session, *, line_id: int, specialist_id: int, at: datetime) -> bool:
    return (
        session.scalar(
            select(Shift.id).where(
                Shift.line_id == line_id,
                Shift.user_id == specialist_id,
                Shift.starts_at <= at,
                Shift.ends_at > at,
            )
        )
        is not None
    )


def start_shift(
    session: Session,
    client: redis.Redis,
    jobs: Jobs,
    *,
    line_id: int,
    specialist_id: int,
    at: datetime,
    override_by: int | None = None,
) -> None:
    """Make a rostered specialist available for offers (or anyone, on a coordinator's say)."""
    specialist = session.get(User, specialist_id)
    if specialist is None or not specialist.active:
        raise NotRostered("that specialist is not active")
    if not is_rostered(session, line_id=line_id, specialist_id=specialist_id, at=at):
        if override_by is None:
            raise NotRostered("no shift on this line now")
        audit.record(
            session,
            "shift.override",
            "user",
            specialist_id,
            actor_id=override_by,
            via="dashboard",
            detail={"line_id": line_id},
        )
        session.commit()
    become_available(session, client, jobs, line_id=line_id, specialist_id=specialist_id)


def become_available(
    session: Session, client: redis.Redis, jobs: Jobs, *, line_id: int, specialist_id: int
) -> None:
    """Put a specialist on shift back in line for offers, longest idle from now."""
    specialist = session.get(User, specialist_id)
    line = session.get(Line, line_id)
    live = LiveLine(client, line_id)
    live.go_available(specialist_id, specialist.languages, ready_ms=now_ms())
    if live.texts_held(specialist_id) and not line.texts_during_calls:
        live.keep_texting(specialist_id)
    live.publish("specialist_available", specialist_id=specialist_id)
    jobs.offer_contacts(line_id)


def take_break(client: redis.Redis, *, line_id: int, specialist_id: int, reason: str) -> None:
    live = LiveLine(client, line_id)
    live.go_on_break(specialist_id, reason)
    live.publish("specialist_paused", specialist_id=specialist_id, reason=reason)


def end_shift(client: redis.Redis, *, line_id: int, specialist_id: int) -> None:
    live = LiveLine(client, line_id)
    live.go_offline(specialist_id)
    live.publish("specialist_offline", specialist_id=specialist_id)
