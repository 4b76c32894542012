"""Offers: ringing free specialists for waiting callers, and moving calls once one answers.

The bodies of the calls-queue jobs. Each takes the runtime and ids, reloads what it
needs, and does nothing when the world has moved on (the caller hung up, the offer ended).
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from warmline import calls, urls
from warmline.gateway import TwilioRefused
from warmline.live import LiveLine
from warmline.models import Contact, Line, User
from warmline.runtime import Runtime

log = logging.getLogger(__name__)


def offer_contacts(runtime: Runtime, line_id: int) -> int:
    """Ring free specialists for waiting callers until no pair is left; return how many."""
    with runtime.sessions() as session:
        line = session.get(Line, line_id)
        if line is None:
            return 0
        live = LiveLine(runtime.redis, line_id)
        live.making_offers()
        offered = 0
        while claim := live.claim(
            lease_ms=calls.lease_ms(line),
            ring_all=line.routing_strategy == "ring_all",
            rotate=line.routing_strategy == "round_robin",
        ):
            offered += 1
            for specialist_id in claim.specialist_ids:
                _ring(runtime, session, live, line, claim.contact_id, specialist_id)
        return offered


def _ring(
    runtime: Runtime,
    session: Session,
    live: LiveLine,
    line: Line,
    contact_id: int,
    specialist_id: int,
) -> None:
    specialist = session.get(User, specialist_id)
    if specialist is None or not specialist.phone:
        live.resolve(contact_id, specialist_id, "decline")
        live.publish("specialist_paused", specialist_id=specialist_id, reason="no_phone")
        return
    try:
        call_sid = runtime.gateway.ring_specialist(
            to=specialist.phone,
            from_=line.twilio_number,
            url=runtime.url(urls.offer_whisper(contact_id, specialist_id)),
            status_callback=runtime.url(urls.offer_status(contact_id, specialist_id)),
            timeout_seconds=line.ring_timeout_seconds,
        )
    except TwilioRefused:
        # Twilio refused this phone (a bad number, say): pause its owner, offer the next one.
        log.warning("could not ring specialist %s", specialist_id, exc_info=True)
        live.resolve(contact_id, specialist_id, "decline")
        live.publish("specialist_paused", specialist_id=specialist_id, reason="phone_unreachable")
        runtime.jobs.offer_contacts(line.id)
        return
    if not live.record_leg(contact_id, specialist_id, call_sid):
        # The offer ended while this call was being placed: stop it ringing.
        runtime.jobs.hang_up([call_sid])
        return
    live.publish("offer", contact_id=contact_id, specialist_id=specialist_id)


def _redirect_unless_over(runtime: Runtime, call_sid: str, path: str) -> bool:
    """Send a call to new TwiML; False when the caller hung up before we could."""
    try:
        runtime.gateway.redirect_call(call_sid, runtime.url(path))
    except TwilioRefused as refused:
        if not refused.call_is_over:
            raise
        return False
    return True


def connect_caller(runtime: Runtime, contact_id: int) -> None:
    """Redirect the waiting caller's call into their conference."""
    with runtime.sessions() as session:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.call_sid is None or contact.ended_at is not None:
            return
        if not _redirect_unless_over(runtime, contact.call_sid, urls.connect(contact_id)):
            # The caller hung up before we could connect them: the status callback closes it.
            log.info("contact %s left before being connected", contact_id)


def bring_specialist(runtime: Runtime, contact_id: int, specialist_id: int) -> None:
    """Ring a specialist who accepted on screen straight into the conversation's conference."""
    with runtime.sessions() as session:
        contact = session.get(Contact, contact_id)
        specialist = session.get(User, specialist_id)
        if contact is None or contact.ended_at is not None or specialist is None:
            return
        line = session.get(Line, contact.line_id)
        call_sid = runtime.gateway.add_conference_participant(
            conference=calls.conference_name(contact_id),
            to=specialist.phone,
            from_=line.twilio_number,
            status_callback=runtime.url(urls.offer_status(contact_id, specialist_id)),
            timeout_seconds=line.ring_timeout_seconds,
        )
        if not LiveLine(runtime.redis, line.id).record_leg(contact_id, specialist_id, call_sid):
            runtime.jobs.hang_up([call_sid])


def add_crisis_counselor(runtime: Runtime, contact_id: int) -> None:
    """Dial the crisis line into the conference; the specialist stays until it answers."""
    with runtime.sessions() as session:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.ended_at is not None:
            return
        line = session.get(Line, contact.line_id)
        runtime.gateway.add_conference_participant(
            conference=calls.conference_name(contact_id),
            to=line.crisis_number,
            from_=line.twilio_number,
            status_callback=runtime.url(urls.crisis_leg_status(contact_id)),
            timeout_seconds=60,
        )


def hang_up(runtime: Runtime, call_sids: list[str]) -> None:
    """End calls that must stop ringing; one already over is fine."""
    for call_sid in call_sids:
        try:
            runtime.gateway.hang_up(call_sid)
        except TwilioRefused as refused:
            if not refused.call_is_over:
                raise


def say_goodbye(runtime: Runtime, contact_id: int) -> None:
    """Send a caller the specialist left alone to a goodbye (unless a crisis counselor is on)."""
    with runtime.sessions() as session:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.call_sid is None or contact.ended_at is not None:
            return
        live = LiveLine(runtime.redis, contact.line_id)
        if live.recall(contact_id, "crisis_leg") == "joined":
            return
        _redirect_unless_over(runtime, contact.call_sid, urls.goodbye(contact_id))
