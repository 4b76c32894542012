"""Lines: the Twilio numbers this deployment answers and their settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline import audit
from warmline.models import Line
from warmline.phones import to_e164


class LineExists(ValueError):
    """Another line already answers that number."""


def add_line(
    session: Session, *, name: str, twilio_number: str, actor_id: int | None = None, **fields: Any
) -> Line:
    """Create a line for a Twilio number and audit it."""
    number = to_e164(twilio_number)
    if find_line(session, number) is not None:
        raise LineExists("a line already answers that Twilio number")
    line = Line(name=name.strip(), twilio_number=number, **fields)
    session.add(line)
    session.flush()
    audit.record(
        session, "line.add", "line", line.id, actor_id=actor_id, detail={"name": line.name}
    )
    return line


def find_line(session: Session, twilio_number: str) -> Line | None:
    """Return the line that answers `twilio_number`, if any."""
    try:
        number = to_e164(twilio_number)
    except ValueError:
        return None
    return session.scalar(select(Line).where(Line.twilio_number == number))
