"""Offers: a waiting caller offered to free specialists, answered, missed, or taken on screen.

The decisions a webhook or the dashboard needs take a session, the live line and `Jobs`;
the bodies of the calls-queue jobs take the runtime and ids, reload what they need, and do
nothing when the world has moved on (the caller hung up, the offer ended).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import redis
from sqlalchemy.orm import Session

from warmline import callbacks, calls, on_shift, texts, urls
from warmline.gateway import TwilioRefused
from warmline.jobs import Jobs
from warmline.live import LiveLine
from warmline.models import Channel, Contact, Line, User
from warmline.runtime import Runtime

log = logging.getLogger(__name__)
ACCEPT_KEY = "1"
# Twilio rings an outgoing call for its timeout plus this: "We always add a 5-second timeout
# buffer to outgoing calls" (the Conference Participant resource, Timeout).
RING_BUFFER_SECONDS = 5
# Twilio places an account's API calls at 1 a second unless the account asks for more; the
# rest wait queued. The lease assumes that default and lowest rate: on an account allowed
# more, a lease only lasts a little longer than it needs to, never too short.
CALLS_PER_SECOND = 1
QUEUED_CALL_MS = 1000 // CALLS_PER_SECOND
# What the whisper says before it listens, for the ring timeout again, for the key to accept.
WHISPER_SPEAKING_SECONDS = 10
# An offer's lease outlives all of that by this much before the sweep takes it back.
LEASE_MARGIN_SECONDS = 5


@dataclass(frozen=True)
class OfferDescription:
    waited_minutes: int
    language: str
    ring_timeout: int
    # The caller asked to be called back: accepting makes the line call them.
    callback: bool = False


def describe_offer(session: Session, *, contact_id: int, at: datetime) -> OfferDescription | None:
    """Say what a specialist is being offered; None once the caller has gone."""
    found = calls.open_call(session, contact_id)
    if found is None:
        return None
    contact, line = found
    return OfferDescription(
        waited_minutes=int((at - contact.arrived_at).total_seconds() // 60),
        language=contact.language,
        ring_timeout=line.ring_timeout_seconds,
        callback=calls.awaits_callback(contact),
    )


def lease_ms(line: Line) -> int:
    """Return how long an offer lasts once its call is placed, until the sweep takes it back.

    The phone rings for the line's timeout and Twilio's buffer; a specialist who picks up at
    the last ring hears the whisper and has the timeout again to press the key. The wait
    before Twilio places the call is added per claim (`QUEUED_CALL_MS` a call).
    """
    ringing = line.ring_timeout_seconds + RING_BUFFER_SECONDS
    whisper = WHISPER_SPEAKING_SECONDS + line.ring_timeout_seconds
    return (ringing + whisper + LEASE_MARGIN_SECONDS) * 1000


def offer_answered(
    session: Session,
    client: redis.Redis,
    jobs: Jobs,
    *,
    contact_id: int,
    specialist_id: int,
    digits: str,
) -> bool:
    """Take a specialist's answer to the whisper; True when they won the caller."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        return False
    live = calls.live_line(client, contact.line_id)
    if digits != ACCEPT_KEY:
        _decline(live, jobs, contact_id, specialist_id)
        return False
    resolution = live.resolve(contact_id, specialist_id, "accept")
    if not resolution.won:
        return False
    contact.specialist_id = specialist_id
    session.commit()
    calls.hang_up_legs(jobs, resolution, resolution.cancel_specialist_ids)
    calls.specialist_on_phone(live, contact_id)
    jobs.connect_caller(contact_id)
    live.publish("contact_accepted", contact_id=contact_id, specialist_id=specialist_id)
    if resolution.cancel_specialist_ids:
        jobs.offer_contacts(contact.line_id)
    return True


def _decline(live: LiveLine, jobs: Jobs, contact_id: int, specialist_id: int) -> None:
    before = live.specialist(specialist_id).get("offer")
    resolution = live.resolve(contact_id, specialist_id, "decline")
    if before == str(contact_id):
        live.publish("specialist_paused", specialist_id=specialist_id, reason="missed_offer")
    if resolution.requeued:
        jobs.offer_contacts(live.line_id)


def specialist_leg_ended(
    session: Session,
    client: redis.Redis,
    jobs: Jobs,
    *,
    contact_id: int,
    specialist_id: int,
    call_sid: str,
    status: str,
) -> None:
    """A specialist's phone call ended: a missed offer, or the end of their conversation."""
    contact = session.get(Contact, contact_id)
    if contact is None or status not in calls.TERMINAL_STATUSES:
        return
    live = calls.live_line(client, contact.line_id)
    if live.offer_winner(contact_id) != specialist_id:
        _decline(live, jobs, contact_id, specialist_id)
        return
    if live.offer_legs(contact_id).get(specialist_id) != call_sid:
        # A leg replaced by another (the whisper, after accepting on screen) ends quietly.
        return
    calls.start_wrap_up(session, live, jobs, specialist_id, contact_id)
    if contact.ended_at is None:
        calls.specialist_left(live, jobs, contact_id)


def accept(
    session: Session, client: redis.Redis, jobs: Jobs, *, contact_id: int, specialist_id: int
) -> bool:
    """Give a waiting caller to the specialist who accepted on screen; ring them into the call."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.ended_at is not None or contact.channel is not Channel.VOICE:
        return False
    live = calls.live_line(client, contact.line_id)
    offered_to_them = live.specialist(specialist_id).get("offer") == str(contact_id)
    if offered_to_them:
        resolution = live.resolve(contact_id, specialist_id, "accept")
        if not resolution.won:
            return False
        # Their phone is ringing with the whisper: replace it with a call into the room.
        calls.hang_up_legs(jobs, resolution, [specialist_id, *resolution.cancel_specialist_ids])
        live.forget_leg(contact_id, specialist_id)
    elif not live.claim_one(contact_id, specialist_id):
        return False
    contact.specialist_id = specialist_id
    session.commit()
    jobs.bring_specialist(contact_id, specialist_id)
    jobs.connect_caller(contact_id)
    live.publish("contact_accepted", contact_id=contact_id, specialist_id=specialist_id)
    return True


# The calls-queue jobs.


def offer_contacts(runtime: Runtime, line_id: int) -> int:
    """Offer waiting contacts to free specialists until no pair is left; return how many.

    Callers ring phones; texts are offered on dashboards: first those ahead of every waiting
    caller, then, once callers have their specialists, the rest.
    """
    with runtime.sessions() as session:
        line = session.get(Line, line_id)
        if line is None:
            return 0
        live = LiveLine(runtime.redis, line_id)
        live.making_offers()
        offered = texts.offer_texts(session, live, line, ahead_of_calls=True)
        while claim := live.claim(
            lease_ms=lease_ms(line),
            queued_call_ms=QUEUED_CALL_MS,
            ring_all=line.routing_strategy == "ring_all",
            rotate=line.routing_strategy == "round_robin",
        ):
            offered += 1
            for specialist_id in claim.specialist_ids:
                _ring(runtime, session, live, line, claim.contact_id, specialist_id)
        return offered + texts.offer_texts(session, live, line, ahead_of_calls=False)


def _ring(
    runtime: Runtime,
    session: Session,
    live: LiveLine,
    line: Line,
    contact_id: int,
    specialist_id: int,
) -> None:
    specialist = session.get(User, specialist_id)
    if specialist is None or not specialist.active:
        # Deactivated, though Redis still listed them: never ring them, take them off the line.
        live.resolve(contact_id, specialist_id, "decline")
        on_shift.ended(session, line_id=line.id, specialist_id=specialist_id)
        live.go_offline(specialist_id)
        return
    if not specialist.phone:
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
        runtime.gateway.redirect_call(
            call_sid, runtime.url(path), fallback_url=runtime.url(urls.FALLBACK)
        )
    except TwilioRefused as refused:
        if not refused.call_is_over:
            raise
        return False
    return True


def connect_caller(runtime: Runtime, contact_id: int) -> None:
    """Redirect the waiting caller's call into their conference, or call them back.

    Never a caller who left for the crisis line meanwhile: their call is theirs now.
    """
    with runtime.sessions() as session:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.ended_at is not None or contact.crisis_referred_at:
            return
        if calls.awaits_callback(contact):
            callbacks.connect(runtime, session, contact)
            return
        if contact.call_sid is None:
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
    """Dial the crisis line into the conference; the specialist stays until a person is there."""
    with runtime.sessions() as session:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.ended_at is not None:
            return
        line = session.get(Line, contact.line_id)
        if contact.practice:
            # Training never rings a real crisis line: the trainee practises the handoff that
            # rings out, staying with the caller and giving them the crisis numbers.
            log.info("practice contact %s: the crisis line is not dialled", contact_id)
            calls.crisis_leg_status(
                runtime.redis, runtime.jobs, line_id=line.id, contact_id=contact_id, status="failed"
            )
            return
        try:
            runtime.gateway.add_conference_participant(
                conference=calls.conference_name(contact_id),
                to=line.crisis_number,
                from_=line.twilio_number,
                status_callback=runtime.url(urls.crisis_leg_status(contact_id)),
                timeout_seconds=60,
            )
        except TwilioRefused:
            # No leg, so no status callbacks: tell the specialist now that it failed.
            log.warning("could not dial the crisis line for contact %s", contact_id, exc_info=True)
            calls.crisis_leg_status(
                runtime.redis, runtime.jobs, line_id=line.id, contact_id=contact_id, status="failed"
            )


def tell_specialist(runtime: Runtime, contact_id: int, call_sid: str, why: str) -> None:
    """Tell a specialist why the caller they accepted is not coming, and end their call.

    A phone still ringing cannot be told (Twilio redirects only a call in progress): it stops.
    """
    if why == calls.Gone.UNREACHED.value:
        path = urls.callback_unreached(contact_id)
    else:
        path = urls.caller_gone(contact_id, why)
    if not _redirect_unless_over(runtime, call_sid, path):
        hang_up(runtime, [call_sid])


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
