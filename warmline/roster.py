"""The roster: who answers which line when."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from warmline import audit
from warmline.models import Line, Shift, User

MAX_SHIFT = timedelta(hours=24)


def add_shift(
    session: Session,
    *,
    line: Line,
    user: User,
    starts_at: datetime,
    ends_at: datetime,
    actor_id: int | None = None,
) -> Shift:
    """Roster `user` on `line` from `starts_at` to `ends_at` (aware datetimes) and audit it."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("shift times need a timezone")
    if ends_at <= starts_at:
        raise ValueError("a shift must end after it starts")
    if ends_at - starts_at > MAX_SHIFT:
        raise ValueError("a shift may last at most 24 hours")
    if not user.active:
        raise ValueError("that user is deactivated")
    shift = Shift(line=line, user=user, starts_at=starts_at, ends_at=ends_at)
    session.add(shift)
    session.flush()
    audit.record(
        session,
        "shift.add",
        "shift",
        shift.id,
        actor_id=actor_id,
        detail={"line_id": line.id, "user_id": user.id},
    )
    return shift
