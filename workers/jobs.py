"""RQ jobs: plain functions that take ids, reload state, and do nothing if it moved on."""

from __future__ import annotations

import logging
from datetime import timedelta

from requests import RequestException
from sqlalchemy import delete, select
from twilio.base.exceptions import TwilioRestException

from warmline import audit, calls, roster
from warmline.live import LiveLine, now_ms
from warmline.models import Channel, Contact, Line, Outcome, User, utcnow
from webhooks import paths
from workers.context import current

log = logging.getLogger(__name__)
# How long the sweep leaves a new call alone: it may still be at the language menu.
SETTLING = timedelta(seconds=60)
# How long an accepted caller may take to reach the conference before we move them again.
CONNECTING_MS = 15_000
# A call open this long is asked about at Twilio, once a minute, in case its ending was lost.
ASK_TWILIO_AFTER = timedelta(minutes=2)
ASK_TWILIO_EVERY_MS = 60_000


def _url(path: str) -> str:
    return current().settings.public_url + path


def offer_contacts(line_id: int) -> int:
    """Ring free specialists for waiting callers until no pair is left; return how many."""
    services = current()
    with services.sessions() as session:
        line = session.get(Line, line_id)
        if line is None:
            return 0
        live = LiveLine(services.redis, line_id)
        live.making_offers()
        offered = 0
        while claim := live.claim(
            lease_ms=calls.lease_ms(line),
            ring_all=line.routing_strategy == "ring_all",
            rotate=line.routing_strategy == "round_robin",
        ):
            offered += 1
            for specialist_id in claim.specialist_ids:
                _ring(session, live, line, claim.contact_id, specialist_id)
        return offered


def _ring(session, live: LiveLine, line: Line, contact_id: int, specialist_id: int) -> None:
    specialist = session.get(User, specialist_id)
    if specialist is None or not specialist.phone:
        live.resolve(contact_id, specialist_id, "decline")
        live.publish("specialist_paused", specialist_id=specialist_id, reason="no_phone")
        return
    try:
        call_sid = current().gateway.ring_specialist(
            to=specialist.phone,
            from_=line.twilio_number,
            url=_url(paths.offer_whisper(contact_id, specialist_id)),
            status_callback=_url(paths.offer_status(contact_id, specialist_id)),
            timeout_seconds=line.ring_timeout_seconds,
        )
    except TwilioRestException:
        # Twilio refused this phone (a bad number, say): pause its owner, offer the next one.
        log.warning("could not ring specialist %s", specialist_id, exc_info=True)
        live.resolve(contact_id, specialist_id, "decline")
        live.publish("specialist_paused", specialist_id=specialist_id, reason="phone_unreachable")
        current().dispatch.offer_contacts(line.id)
        return
    if not live.record_leg(contact_id, specialist_id, call_sid):
        # The offer ended while this call was being placed: stop it ringing.
        current().dispatch.hang_up([call_sid])
        return
    live.publish("offer", contact_id=contact_id, specialist_id=specialist_id)


def connect_caller(contact_id: int) -> None:
    """Redirect the waiting caller's call into their conference."""
    services = current()
    with services.sessions() as session:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.call_sid is None or contact.ended_at is not None:
            return
        try:
            services.gateway.redirect_call(contact.call_sid, _url(paths.connect(contact_id)))
        except TwilioRestException as error:
            if error.status != 404 and error.code not in (20404, 21220):
                raise
            # The caller hung up before we could connect them: the status callback closes it.
            log.info("contact %s left before being connected", contact_id)


def bring_specialist(contact_id: int, specialist_id: int) -> None:
    """Ring a specialist who accepted on screen straight into the conversation's conference."""
    services = current()
    with services.sessions() as session:
        contact = session.get(Contact, contact_id)
        specialist = session.get(User, specialist_id)
        if contact is None or contact.ended_at is not None or specialist is None:
            return
        line = session.get(Line, contact.line_id)
        call_sid = services.gateway.add_conference_participant(
            conference=calls.conference_name(contact_id),
            to=specialist.phone,
            from_=line.twilio_number,
            status_callback=_url(paths.offer_status(contact_id, specialist_id)),
            timeout_seconds=line.ring_timeout_seconds,
        )
        if not LiveLine(services.redis, line.id).record_leg(contact_id, specialist_id, call_sid):
            services.dispatch.hang_up([call_sid])


def add_crisis_counselor(contact_id: int) -> None:
    """Dial the crisis line into the conference; the specialist stays until it answers."""
    services = current()
    with services.sessions() as session:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.ended_at is not None:
            return
        line = session.get(Line, contact.line_id)
        services.gateway.add_conference_participant(
            conference=calls.conference_name(contact_id),
            to=line.crisis_number,
            from_=line.twilio_number,
            status_callback=_url(paths.crisis_leg_status(contact_id)),
            timeout_seconds=60,
        )


def hang_up(call_sids: list[str]) -> None:
    """End calls that must stop ringing; one already over is fine."""
    for call_sid in call_sids:
        try:
            current().gateway.hang_up(call_sid)
        except TwilioRestException as error:
            if error.status != 404 and error.code not in (20404, 21220):
                raise


def say_goodbye(contact_id: int) -> None:
    """Send a caller the specialist left alone to a goodbye (unless a crisis counselor is on)."""
    services = current()
    with services.sessions() as session:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.call_sid is None or contact.ended_at is not None:
            return
        live = LiveLine(services.redis, contact.line_id)
        if live.recall(contact_id, "crisis_leg") == "joined":
            return
        try:
            services.gateway.redirect_call(contact.call_sid, _url(paths.goodbye(contact_id)))
        except TwilioRestException as error:
            if error.status != 404 and error.code not in (20404, 21220):
                raise


def repair_live_state() -> dict[str, int]:
    """Mend drift between Redis and the database; return what was repaired.

    Offers whose lease ran out (a worker died mid-offer) go back to the line; accepted
    callers who never reached their conference are moved again; open calls missing from
    Redis (Redis restarted) are put back in their old place; contacts that ended while Redis
    missed it leave the line; calls open for minutes are checked at Twilio, and closed when
    their ending was lost.
    """
    services = current()
    repaired = {
        "expired_offers": 0,
        "restored": 0,
        "removed": 0,
        "reconnected": 0,
        "closed": 0,
    }
    with services.sessions() as session:
        for line in session.scalars(select(Line)):
            live = LiveLine(services.redis, line.id)
            for contact_id in live.expired_offers(now_ms()):
                legs = live.offer_legs(contact_id)
                live.resolve(contact_id, None, "release_all")
                services.dispatch.hang_up(list(legs.values()))
                repaired["expired_offers"] += 1
            for contact_id in live.stuck_accepted(now_ms() - CONNECTING_MS):
                contact = session.get(Contact, contact_id)
                if contact is None or contact.ended_at is not None:
                    live.reached_conference(contact_id)
                elif contact.connected_at is None:
                    live.retry_connecting(contact_id)
                    services.dispatch.connect_caller(contact_id)
                    repaired["reconnected"] += 1
            for contact_id in live.waiting() + live.offered():
                contact = session.get(Contact, contact_id)
                if contact is None or contact.ended_at is not None:
                    live.remove(contact_id)
                    repaired["removed"] += 1
            open_calls = session.scalars(
                select(Contact).where(
                    Contact.line_id == line.id,
                    Contact.channel == Channel.VOICE,
                    Contact.outcome == Outcome.OPEN,
                    Contact.ended_at.is_(None),
                    Contact.connected_at.is_(None),
                    Contact.call_sid.is_not(None),
                    Contact.arrived_at < utcnow() - SETTLING,
                )
            )
            for contact in open_calls:
                if not live.is_live(contact.id):
                    calls.requeue(live, line, contact)
                    repaired["restored"] += 1
            repaired["closed"] += _close_calls_twilio_ended(session, live, line)
            if live.waiting() and live.free_specialists(now_ms()):
                services.dispatch.offer_contacts(line.id)
    return repaired


def _close_calls_twilio_ended(session, live: LiveLine, line: Line) -> int:
    """Close open calls whose ending never reached us (a status callback lost in an outage)."""
    services = current()
    long_open = session.scalars(
        select(Contact).where(
            Contact.line_id == line.id,
            Contact.channel == Channel.VOICE,
            Contact.ended_at.is_(None),
            Contact.call_sid.is_not(None),
            Contact.arrived_at < utcnow() - ASK_TWILIO_AFTER,
        )
    ).all()
    closed = 0
    for contact in long_open:
        if not live.ask_twilio_due(contact.id, ASK_TWILIO_EVERY_MS):
            continue
        try:
            status = services.gateway.call_status(contact.call_sid)
        except (TwilioRestException, RequestException):
            # Twilio unreachable or the call unknown: ask again next minute.
            log.warning("could not ask Twilio about contact %s", contact.id, exc_info=True)
            continue
        if status in calls.TERMINAL_STATUSES and calls.call_status(
            session,
            services.redis,
            services.dispatch,
            call_sid=contact.call_sid,
            status=status,
            at=utcnow(),
        ):
            closed += 1
    return closed


def extend_rosters() -> dict[str, int]:
    """Expand every line's weekly shift patterns ahead, so the roster never runs dry."""
    added: dict[str, int] = {}
    with current().sessions() as session:
        for line in session.scalars(select(Line)):
            added[str(line.id)] = roster.extend_patterns(session, line=line)
        session.commit()
    return added


def purge_expired_contacts() -> dict[str, int]:
    """Delete contact metadata (and its wrap-ups) older than each line's retention period."""
    removed: dict[str, int] = {}
    with current().sessions() as session:
        for line in session.scalars(select(Line)):
            cutoff = utcnow() - timedelta(days=line.retention_days)
            result = session.execute(
                delete(Contact).where(Contact.line_id == line.id, Contact.arrived_at < cutoff)
            )
            removed[str(line.id)] = result.rowcount
        audit.record(
            session, "retention.purge", "contact", None, via="worker", detail={"removed": removed}
        )
        session.commit()
    return removed
