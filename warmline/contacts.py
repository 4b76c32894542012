"""Contacts: one call or one text conversation, recorded as non-identifying metadata."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from sqlalchemy.orm import Session

from warmline import live
from warmline.lines import find_line
from warmline.models import Channel, Contact, Outcome, utcnow

TERMINAL_CALL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


@dataclass(frozen=True)
class LineContext:
    """What a webhook needs to answer for a line, even later without the database."""

    name: str
    crisis_number: str
    overflow_number: str | None


@dataclass(frozen=True)
class Reception:
    """What became of an arriving call or text."""

    line: LineContext | None
    contact_id: int | None
    duplicate: bool


def receive_call(
    session: Session,
    client: redis.Redis,
    *,
    call_sid: str,
    line_number: str,
    caller_tag: str | None,
) -> Reception:
    """Record an arriving call once, however often Twilio retries the webhook."""
    line = find_line(session, line_number)
    context = _context(line)
    if line is None:
        return Reception(line=None, contact_id=None, duplicate=False)
    if not live.first_time_seen(client, call_sid):
        return Reception(
            line=context, contact_id=live.contact_for_call(client, call_sid), duplicate=True
        )
    # Until specialists take calls, every caller is sent on to overflow or the crisis line.
    contact = Contact(
        line_id=line.id, channel=Channel.VOICE, caller_tag=caller_tag, outcome=Outcome.OVERFLOW
    )
    session.add(contact)
    session.commit()
    live.link_call(client, call_sid, contact.id)
    return Reception(line=context, contact_id=contact.id, duplicate=False)


def receive_text(
    session: Session, client: redis.Redis, *, message_sid: str, line_number: str
) -> Reception:
    """Note an arriving text once; a retried webhook is answered with silence."""
    context = _context(find_line(session, line_number))
    duplicate = not live.first_time_seen(client, message_sid)
    return Reception(line=context, contact_id=None, duplicate=duplicate)


def record_call_status(
    session: Session, client: redis.Redis, *, call_sid: str, status: str
) -> bool:
    """Close the contact when its call ends; True if this update changed anything."""
    if status not in TERMINAL_CALL_STATUSES:
        return False
    contact_id = live.contact_for_call(client, call_sid)
    contact = session.get(Contact, contact_id) if contact_id is not None else None
    if contact is None or contact.ended_at is not None:
        return False
    contact.ended_at = utcnow()
    if status != "completed" and contact.outcome is Outcome.OPEN:
        contact.outcome = Outcome.FAILED
    session.commit()
    return True


def _context(line) -> LineContext | None:
    if line is None:
        return None
    return LineContext(
        name=line.name, crisis_number=line.crisis_number, overflow_number=line.overflow_number
    )
