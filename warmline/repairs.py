"""Repairs: the clock's housekeeping that mends drift between Redis, SQL and Twilio.

The bodies of the maintenance jobs. Each takes the runtime, is safe to run twice, and
returns what it mended.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from warmline import audit, calls, coordinators, offers, presence, roster, texts
from warmline.gateway import TwilioRefused, TwilioUnreachable
from warmline.live import LiveLine, now_ms
from warmline.models import Channel, Contact, Line, Outcome, utcnow
from warmline.runtime import Runtime

log = logging.getLogger(__name__)
# How long an accepted caller may take to reach the conference before we move them again.
CONNECTING_MS = 15_000
# How long a closed conversation's unsent replies may keep its sealed data for their send.
SENDING_GRACE = timedelta(minutes=10)
# How long one process may take to rebuild a line before another may try.
REBUILD_WITHIN_SECONDS = 60
# How long someone showing crisis signs may wait before the coordinators on shift hear of it.
CRISIS_WAIT = timedelta(minutes=1)


def repair_live_state(runtime: Runtime) -> dict[str, int]:
    """Mend drift between Redis and the database; return what was repaired.

    Offers whose lease ran out (a worker died mid-offer, a status callback was lost) go back
    to the line, and the specialists they rang go on break; text offers nobody answered in
    time end; accepted callers who never reached their conference are moved again; open calls
    missing from Redis (Redis restarted) are put back in their old place; contacts that ended
    while Redis missed it leave the line; calls open for minutes are checked at Twilio, and
    closed when their ending was lost. A line whose whole state Redis lost is rebuilt first
    (`rebuild_line`).
    """
    repaired = {
        "rebuilt_specialists": 0,
        "expired_offers": 0,
        "expired_text_offers": 0,
        "restored": 0,
        "removed": 0,
        "reconnected": 0,
        "closed": 0,
        "callbacks_lost": 0,
    }
    settling = timedelta(seconds=runtime.settings.repair_settling_seconds)
    with runtime.sessions() as session:
        for line in session.scalars(select(Line)):
            live = LiveLine(runtime.redis, line.id)
            if not live.kept():
                rebuilt = rebuild_line(runtime, session, live, line)
                repaired["rebuilt_specialists"] += rebuilt.specialists
                repaired["restored"] += rebuilt.calls
            for contact_id in live.expired_offers(now_ms()):
                _take_back_offer(runtime, live, contact_id)
                repaired["expired_offers"] += 1
            repaired["expired_text_offers"] += texts.expire_text_offers(live, runtime.jobs)
            for contact_id in live.stuck_accepted(now_ms() - CONNECTING_MS):
                contact = session.get(Contact, contact_id)
                if contact is None or contact.ended_at is not None:
                    live.reached_conference(contact_id)
                elif contact.connected_at is None:
                    live.retry_connecting(contact_id)
                    runtime.jobs.connect_caller(contact_id)
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
                    # Its arrival may still be putting a new call in line: let it settle.
                    Contact.arrived_at < utcnow() - settling,
                )
            )
            for contact in open_calls:
                if not live.is_live(contact.id):
                    calls.requeue(live, line, contact)
                    repaired["restored"] += 1
            repaired["closed"] += _close_calls_twilio_ended(runtime, session, live, line)
            repaired["callbacks_lost"] += _close_callbacks_redis_lost(runtime, session, live, line)
            # Someone holding texts is off the phone rota but may take one more: a text nobody
            # is being offered may have someone now (a dashboard opened, a pass ran out).
            if (live.waiting() and live.free_specialists(now_ms())) or live.texts_unoffered():
                runtime.jobs.offer_contacts(line.id)
    return repaired


@dataclass(frozen=True)
class Rebuilt:
    """What rebuilding a line put back: specialists on shift, waiting callers and texts."""

    specialists: int = 0
    calls: int = 0
    texts: int = 0


def rebuild_line(runtime: Runtime, session: Session, live: LiveLine, line: Line) -> Rebuilt:
    """Put back a line whose live state Redis lost, from the database, then mark it kept.

    Everyone on shift comes back, and nobody who ended theirs; callers still holding at
    Twilio and texts still open go back in line in their first order, and texts held and
    calls under way back to their specialists. An offer ringing when Redis lost it is
    forgotten with it, its phone possibly still ringing: the specialists come back free
    only once such an offer would have run out, so no caller is offered to two at once.
    """
    if not live.start_rebuilding(REBUILD_WITHIN_SECONDS):
        return Rebuilt()
    lease_seconds = offers.lease_ms(line) // 1000
    specialists = presence.restore_rota(
        session, live, line, ready_ms=now_ms() + lease_seconds * 1000
    )
    waiting = session.scalars(
        select(Contact)
        .where(
            Contact.line_id == line.id,
            Contact.ended_at.is_(None),
            Contact.connected_at.is_(None),
            Contact.specialist_id.is_(None),
        )
        .order_by(Contact.arrived_at)
    ).all()
    restored_calls = restored_texts = 0
    for contact in waiting:
        if live.is_live(contact.id):
            continue
        if contact.channel is Channel.SMS:
            texts.restore(live, contact)
            restored_texts += 1
        elif contact.call_sid is not None and contact.outcome is Outcome.OPEN:
            calls.requeue(live, line, contact)
            restored_calls += 1
    live.rebuilt()
    if specialists or restored_calls or restored_texts:
        log.warning(
            "line %s: Redis had lost its state; rebuilt %s specialists, %s calls, %s texts",
            line.id,
            specialists,
            restored_calls,
            restored_texts,
        )
    runtime.jobs.offer_contacts(line.id, after_seconds=lease_seconds)
    return Rebuilt(specialists, restored_calls, restored_texts)


def end_absent_shifts(runtime: Runtime) -> dict[str, int]:
    """End the availability of specialists with no dashboard open for longer than the grace.

    Their dashboards' event streams and requests, in any process on any host, mark them seen
    in Redis; a call they are on goes on to its end first.
    """
    grace_ms = runtime.settings.presence_grace_seconds * 1000
    signed_off = 0
    with runtime.sessions() as session:
        for line_id in session.scalars(select(Line.id)):
            signed_off += presence.end_absent_shifts(
                session,
                runtime.redis,
                runtime.jobs,
                line_id=line_id,
                grace_ms=grace_ms,
                at_ms=now_ms(),
            )
    return {"signed_off": signed_off}


def warn_of_crisis_waiting(runtime: Runtime) -> dict[str, int]:
    """Tell the coordinators on shift of anyone showing crisis signs who has waited a minute.

    First in line, they still wait while every specialist is busy, wrapping up or on a
    recovery break: a coordinator may take them, or ask someone to. Once per contact; the
    notice names no contact, since any coordinator's screen may show it.
    """
    warned = 0
    at = utcnow()
    with runtime.sessions() as session:
        for line in session.scalars(select(Line)):
            live = LiveLine(runtime.redis, line.id)
            waiting = live.waiting()
            if not waiting:
                continue
            long_waiting = session.scalars(
                select(Contact).where(
                    Contact.id.in_(waiting),
                    Contact.ended_at.is_(None),
                    Contact.arrived_at <= at - CRISIS_WAIT,
                    # A trainer playing a caller in crisis alarms no coordinator.
                    Contact.practice.is_(False),
                )
            )
            for contact in long_waiting:
                tier = max(contact.crisis_tier, int(live.recall(contact.id, "tier") or 0))
                seconds = coordinators.NOTICE_MS // 1000
                if tier < 1 or not live.first_notice(f"crisis-waiting:{contact.id}", seconds):
                    continue
                coordinators.warn(
                    runtime.redis, line.id, "crisis_waiting", at_ms=int(at.timestamp() * 1000)
                )
                log.info(
                    "Told the coordinators that contact %s waits with crisis signs", contact.id
                )
                warned += 1
    return {"crisis_waiting": warned}


def _take_back_offer(runtime: Runtime, live: LiveLine, contact_id: int) -> None:
    """Put a caller whose offer outlived its lease back in line; whoever was rung missed it."""
    resolution = live.resolve(contact_id, None, "release_all")
    for specialist_id in resolution.missed_specialist_ids:
        live.publish("specialist_paused", specialist_id=specialist_id, reason="missed_offer")
    runtime.jobs.hang_up(list(resolution.legs.values()))


def _close_callbacks_redis_lost(
    runtime: Runtime, session: Session, live: LiveLine, line: Line
) -> int:
    """Close callbacks whose number Redis lost (it restarted): nobody can be called back.

    The number lived only there, so the contact ends as not reached rather than wait forever.
    """
    pending = session.scalars(
        select(Contact).where(
            Contact.line_id == line.id,
            Contact.callback_requested_at.is_not(None),
            Contact.connected_at.is_(None),
            Contact.ended_at.is_(None),
            Contact.call_sid.is_(None),
            Contact.callback_requested_at
            < utcnow() - timedelta(seconds=runtime.settings.repair_settling_seconds),
        )
    ).all()
    lost = 0
    for contact in pending:
        if live.callback_number(contact.id) is None:
            contact.callback_attempts = max(contact.callback_attempts, calls.CALLBACK_TRIES)
            session.commit()
            calls.callback_unreached(session, live, runtime.jobs, contact, at=utcnow())
            lost += 1
    return lost


def _close_calls_twilio_ended(
    runtime: Runtime, session: Session, live: LiveLine, line: Line
) -> int:
    """Close open calls whose ending never reached us (a status callback lost in an outage)."""
    long_open = session.scalars(
        select(Contact).where(
            Contact.line_id == line.id,
            Contact.channel == Channel.VOICE,
            Contact.ended_at.is_(None),
            Contact.call_sid.is_not(None),
            Contact.arrived_at
            < utcnow() - timedelta(seconds=runtime.settings.ask_twilio_after_seconds),
        )
    ).all()
    closed = 0
    for contact in long_open:
        if not live.ask_twilio_due(contact.id, runtime.settings.ask_twilio_every_seconds * 1000):
            continue
        try:
            status = runtime.gateway.call_status(contact.call_sid)
        except (TwilioRefused, TwilioUnreachable):
            # Twilio unreachable or the call unknown: ask again next minute.
            log.warning("could not ask Twilio about contact %s", contact.id, exc_info=True)
            continue
        if status in calls.TERMINAL_STATUSES and calls.call_status(
            session,
            runtime.redis,
            runtime.jobs,
            call_sid=contact.call_sid,
            status=status,
            at=utcnow(),
        ):
            closed += 1
    return closed


def extend_rosters(runtime: Runtime) -> dict[str, int]:
    """Expand every line's weekly shift patterns ahead, so the roster never runs dry."""
    added: dict[str, int] = {}
    with runtime.sessions() as session:
        for line in session.scalars(select(Line)):
            added[str(line.id)] = roster.extend_patterns(session, line=line)
        session.commit()
    return added


def purge_expired_contacts(runtime: Runtime) -> dict[str, int]:
    """Delete contact metadata (and its wrap-ups) older than each line's retention period."""
    removed: dict[str, int] = {}
    with runtime.sessions() as session:
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


def sweep_text_conversations(runtime: Runtime) -> dict[str, int]:
    """Mend what a lost job or a restarted Redis left behind; return what was mended.

    Waiting texts missing from the line go back to their old place, held conversations idle
    past the line's inactivity time close (never a crisis-flagged one), and sealed data of
    conversations already closed is deleted.
    """
    mended = {"restored": 0, "closed_inactive": 0, "forgotten": 0}
    with runtime.sessions() as session:
        for line in session.scalars(select(Line)):
            live = LiveLine(runtime.redis, line.id)
            open_texts = session.scalars(
                select(Contact).where(
                    Contact.line_id == line.id,
                    Contact.channel == Channel.SMS,
                    Contact.ended_at.is_(None),
                )
            ).all()
            for contact in open_texts:
                if contact.specialist_id is None:
                    if not live.is_live(contact.id):
                        texts.restore(live, contact)
                        mended["restored"] += 1
                    continue
                if contact.crisis_tier > 0:
                    continue
                idle = texts.inactive_for(live, contact.id)
                if idle is None:
                    idle = utcnow() - (contact.connected_at or contact.arrived_at)
                if idle >= timedelta(minutes=line.text_inactivity_minutes):
                    texts.close_conversation(
                        session,
                        runtime.redis,
                        runtime.jobs,
                        contact_id=contact.id,
                        reason=texts.CloseReason.INACTIVE,
                        at=utcnow(),
                    )
                    mended["closed_inactive"] += 1
            for contact_id in live.stored_conversations():
                contact = session.get(Contact, contact_id)
                if contact is None or contact.ended_at is not None:
                    unsent_and_recent = live.unsent(contact_id) and contact is not None
                    if unsent_and_recent and utcnow() - contact.ended_at < SENDING_GRACE:
                        continue
                    live.forget_conversation(contact_id)
                    mended["forgotten"] += 1
    return mended
