"""A person's shifts as an iCalendar feed behind a secret URL their calendar app polls.

The URL carries a random token; the database keeps only its SHA-256, so a leaked backup
does not leak working feed URLs. Issuing a new token retires the old URL. The feed says
which line and when, in the line's own timezone, and nothing about any contact.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline import audit
from warmline.models import CalendarFeed, Line, Shift, User, utcnow

TOKEN_BYTES = 32
TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
PAST = timedelta(days=30)
AHEAD = timedelta(days=120)
PRODUCT = "-//warmline//roster//EN"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    session: Session, user: User, *, actor_id: int | None = None, via: str = "console"
) -> str:
    """Give `user` a new feed token (retiring any old one); return it, shown only now."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is None:
        feed = CalendarFeed(user_id=user.id, token_hash=_digest(token))
        session.add(feed)
    else:
        feed.token_hash, feed.created_at = _digest(token), utcnow()
    session.flush()
    audit.record(session, "calendar.issue", "user", user.id, actor_id=actor_id, via=via)
    return token


def revoke_token(
    session: Session, user: User, *, actor_id: int | None = None, via: str = "console"
) -> bool:
    """Retire `user`'s feed URL; return whether there was one."""
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is None:
        return False
    session.delete(feed)
    audit.record(session, "calendar.revoke", "user", user.id, actor_id=actor_id, via=via)
    session.flush()
    return True


def user_for_token(session: Session, token: str) -> User | None:
    """Return the active person a feed token belongs to, or None for anything else."""
    if not TOKEN.match(token or ""):
        return None
    user = session.scalar(
        select(User)
        .join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.token_hash == _digest(token))
    )
    return user if user is not None and user.active else None


def _on_the_clock(at: datetime, zone: ZoneInfo) -> datetime:
    """Return `at` on the line's clock, or in UTC where that clock shows it twice.

    iCalendar reads a local time the fall-back night repeats as its first moment (RFC 5545,
    3.3.5), so a shift in the second would start or end an hour early in the calendar.
    """
    moment = at.astimezone(zone)
    if moment.replace(fold=1 - moment.fold).utcoffset() != moment.utcoffset():
        return at.astimezone(UTC)
    return moment


def feed(session: Session, user: User, *, now: datetime | None = None) -> bytes:
    """Render `user`'s shifts from a month back to four months ahead as iCalendar."""
    now = now or utcnow()
    rows = session.execute(
        select(Shift, Line)
        .join(Line, Line.id == Shift.line_id)
        .where(
            Shift.user_id == user.id,
            Shift.ends_at > now - PAST,
            Shift.starts_at < now + AHEAD,
        )
        .order_by(Shift.starts_at)
    ).all()
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Warm line shifts")
    for shift, line in rows:
        tz = line.timezone
        event = Event()
        event.add("uid", f"shift-{shift.id}@warmline")
        event.add("dtstamp", now)
        event.add("dtstart", _on_the_clock(shift.starts_at, ZoneInfo(tz)))
        event.add("dtend", _on_the_clock(shift.ends_at, ZoneInfo(tz)))
        event.add("summary", f"Shift: {line.name}")
        event.add("description", f"Warm line shift on {line.name} ({tz}).")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
