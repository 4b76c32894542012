"""Small builders for the people and lines tests need."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from warmline import presence
from warmline.lines import add_line
from warmline.models import Line, User, utcnow
from warmline.people import add_user
from warmline.roster import add_shift

LINE_NUMBER = "+15017122661"
# Before every date the roster tests put shifts on: as `now`, none of them is in the past.
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)
OVERFLOW_NUMBER = "+15017120000"


def call_sid() -> str:
    return "CA" + secrets.token_hex(16)


def message_sid() -> str:
    return "SM" + secrets.token_hex(16)


def make_line(session: Session, **fields) -> Line:
    fields.setdefault("name", "Riverside Warm Line")
    fields.setdefault("twilio_number", LINE_NUMBER)
    line = add_line(session, **fields)
    session.commit()
    return line


def make_specialist(
    session: Session, line: Line, *, name: str = "Ana", phone: str = "+14155550177", **fields
) -> User:
    """Add a specialist rostered on `line` for the hours around now."""
    specialist = add_user(
        session,
        email=f"{name.lower()}@example.org",
        display_name=name,
        password="a long enough password",
        phone=phone,
        **fields,
    )
    now = utcnow()
    add_shift(
        session,
        line=line,
        user=specialist,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
    )
    session.commit()
    return specialist


def on_shift(app, session: Session, line: Line, specialist: User) -> None:
    """Have the specialist start their shift, as the dashboard will."""
    services = app.extensions["warmline"]
    presence.start_shift(
        session,
        services.redis,
        services.jobs,
        line_id=line.id,
        specialist_id=specialist.id,
        at=utcnow(),
    )
