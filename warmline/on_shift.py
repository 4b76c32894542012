"""The durable record of who is on shift, which a Redis that lost its data is rebuilt from.

Written before the live rota when a shift starts and before it when a shift ends, so a crash
between the two can only keep someone who asked to start, never bring back someone who ended.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warmline.models import ShiftStarted


def started(session: Session, *, line_id: int, specialist_id: int) -> None:
    """Record that a specialist is on shift on a line; recording it twice changes nothing."""
    if _is_recorded(session, line_id, specialist_id):
        return
    session.add(ShiftStarted(line_id=line_id, user_id=specialist_id))
    try:
        session.commit()
    except IntegrityError:
        # Another process recorded the same start a moment ago.
        session.rollback()


def ended(session: Session, *, line_id: int, specialist_id: int) -> None:
    session.execute(
        delete(ShiftStarted).where(
            ShiftStarted.line_id == line_id, ShiftStarted.user_id == specialist_id
        )
    )
    session.commit()


def on_shift(session: Session, line_id: int) -> list[int]:
    """Return the specialists whose shift on the line started and has not ended, by id."""
    return list(
        session.scalars(
            select(ShiftStarted.user_id)
            .where(ShiftStarted.line_id == line_id)
            .order_by(ShiftStarted.user_id)
        )
    )


def _is_recorded(session: Session, line_id: int, specialist_id: int) -> bool:
    found = session.scalar(
        select(ShiftStarted.id).where(
            ShiftStarted.line_id == line_id, ShiftStarted.user_id == specialist_id
        )
    )
    return found is not None
