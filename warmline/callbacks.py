"""Queued callbacks: a waiting caller asks to be called back when a specialist is free.

They keep their place in line with their call over. Their number is sealed in Redis only,
from the moment they ask until the call back is made or given up; the durable record keeps
when they asked and how many calls back were placed. When their turn comes the specialist is
rung first, as for any caller; once they accept, the line calls the person from its own number
and puts them through (see `call_back`); `calls.callback_unreached` handles no answer.
"""

from __future__ import annotations

import logging
from datetime import datetime

import redis
from sqlalchemy.orm import Session

from warmline import calls, urls
from warmline.gateway import TwilioRefused
from warmline.lines import is_open
from warmline.live import PLACING
from warmline.models import Contact, Line, utcnow
from warmline.phones import to_e164
from warmline.privacy import Sealer, SealError, caller_tag
from warmline.runtime import Runtime

log = logging.getLogger(__name__)
# How long the person's phone rings for a call back: long enough to reach it across a room.
RING_SECONDS = 30


def choose_callback(
    session: Session,
    client: redis.Redis,
    sealer: Sealer,
    *,
    line_id: int,
    contact_id: int,
    digits: str,
    number: str,
    caller_key: str,
    at: datetime,
) -> bool:
    """Take a key pressed on hold as a request to be called back; return whether it was.

    Only the call-back key, from the number that called (never a withheld one), on a line that
    offers callbacks, open and with room for one more, for a caller showing no crisis signs:
    they keep the crisis options instead. The number is sealed at once and goes nowhere else.
    """
    found = calls.open_call(session, contact_id)
    if found is None:
        return False
    contact, line = found
    if line.id != line_id or digits != calls.callback_key(line.languages):
        return False
    if not line.callbacks_enabled or contact.crisis_tier or not is_open(line, at):
        return False
    if contact.caller_tag is None or caller_tag(number, caller_key) != contact.caller_tag:
        return False
    live = calls.live_line(client, line.id)
    details = live.details(contact_id)
    if not details or int(details.get("tier") or 0):
        return False
    sealed = sealer.seal(to_e164(number))
    if not live.request_callback(contact_id, sealed, cap=line.max_pending_callbacks):
        return False
    contact.callback_requested_at = contact.callback_requested_at or at
    session.commit()
    live.note(contact_id, exit="callback")
    live.publish("callback_requested", contact_id=contact_id)
    return True


def connect(runtime: Runtime, session: Session, contact: Contact) -> None:
    """Call back a caller waiting for it, now that a specialist accepted them.

    Not while they are still on the call they asked from: they are hearing that the line will
    call them back and that they may hang up, so that call is left to end as it says, and the
    call back follows it (`calls.call_status`). Putting it through instead broke off the promise
    mid-sentence, and a caller who hung up as told was never called back.
    """
    live = calls.live_line(runtime.redis, contact.line_id)
    if contact.call_sid is not None and live.callback_leg(contact.id) is None:
        return
    call_back(runtime, session, contact)


def call_back(runtime: Runtime, session: Session, contact: Contact) -> None:
    """Call a caller back from the line's number, their specialist waiting in the conference.

    Runs once per try: a try already under way (the sweep moving a slow connection again)
    places nothing. Twilio refusing the number counts as a try nobody answered.
    """
    live = calls.live_line(runtime.redis, contact.line_id)
    attempt = live.start_callback_attempt(contact.id)
    if attempt is None:
        return
    line = session.get(Line, contact.line_id)
    contact.callback_attempts = attempt
    session.commit()
    sealed = live.callback_number(contact.id)
    try:
        number = runtime.sealer.open(sealed) if sealed else None
    except SealError:
        number = None
    sid = None
    if number is not None:
        try:
            sid = runtime.gateway.call_back(
                to=number,
                from_=line.twilio_number,
                url=runtime.url(urls.callback(contact.id)),
                status_callback=runtime.url(urls.VOICE_STATUS),
                timeout_seconds=RING_SECONDS,
            )
        except TwilioRefused:
            log.warning("Twilio refused the call back of contact %s", contact.id)
    if sid is None:
        # No call, so no status callback: this try is over now, unanswered. Without a number
        # (Redis lost it) there is nobody to try again.
        if number is None:
            contact.callback_attempts = calls.CALLBACK_TRIES
            session.commit()
        live.end_callback_attempt(contact.id, PLACING)
        calls.callback_unreached(session, live, runtime.jobs, contact, at=utcnow())
        return
    contact.call_sid = sid
    session.commit()
    live.record_callback_leg(contact.id, sid)
    live.note(contact.id, call_sid=sid)


def retry_callback(runtime: Runtime, contact_id: int) -> None:
    """Put a caller whose first call back went unanswered back in their old place in line."""
    with runtime.sessions() as session:
        contact = session.get(Contact, contact_id)
        if contact is None or not calls.awaits_callback(contact):
            return
        line = session.get(Line, contact.line_id)
        live = calls.live_line(runtime.redis, line.id)
        if live.callback_number(contact_id) is None:
            # Redis lost the number: nobody can be called back, so the contact closes.
            contact.callback_attempts = calls.CALLBACK_TRIES
            session.commit()
            calls.callback_unreached(session, live, runtime.jobs, contact, at=utcnow())
            return
        calls.requeue(live, line, contact)
        runtime.jobs.offer_contacts(line.id)
