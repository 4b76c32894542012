"""Delivery: sending a conversation's replies, retrying them, following delivery reports,
reminding a waiting texter, and closing a conversation nobody writes in.

`send_reply` and `watch_conversation` are the bodies of the texts-queue jobs: they take the
runtime and ids, and do nothing once the conversation has moved on.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import redis
from sqlalchemy.orm import Session

from warmline import urls, wording
from warmline.gateway import TwilioRefused, TwilioUnreachable
from warmline.jobs import Jobs
from warmline.live import LiveLine, first_time_seen
from warmline.models import Channel, Contact, Line, utcnow
from warmline.runtime import Runtime
from warmline.texts.arrival import is_opted_out, record_opt_out
from warmline.texts.conversation import (
    CloseReason,
    close_conversation,
    keep_line_texts,
    live_line,
    watch,
)

log = logging.getLogger(__name__)
# A waiting texter who writes nothing hears their place this many times, then only on asking.
UNPROMPTED_REMINDERS = 2
# Sends whose REST call fails are tried again after these pauses, then given up as failed.
SEND_BACKOFF_SECONDS = (10, 60, 300)
MAX_SEND_ATTEMPTS = len(SEND_BACKOFF_SECONDS) + 1
# Twilio error codes no retry can fix: opted out, not a mobile, unknown, blocked, landline.
PERMANENT_ERRORS = frozenset({21211, 21408, 21610, 21612, 21614, 30004, 30005, 30006})
# The texter opted out at Twilio (a STOP we never saw, say): https://www.twilio.com/docs/api/errors/21610
UNSUBSCRIBED = 21610
# Delivery statuses in the order they can follow one another; a lower one never replaces.
DELIVERY_RANK = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "failed": 4,
    "undelivered": 4,
    "canceled": 4,
    "partially_delivered": 4,
    "delivered": 5,
    "read": 6,
}
FAILED = frozenset({"failed", "undelivered", "canceled"})


def _forget_if_closed(live: LiveLine, contact_id: int) -> None:
    """Delete a closed conversation's sealed data once its last reply has gone out."""
    if live.conversation(contact_id).get("closed") == b"1" and not live.unsent(contact_id):
        live.forget_conversation(contact_id)


def _give_up(live: LiveLine, contact_id: int, index: int) -> None:
    flag_undeliverable(live, contact_id, index)
    _forget_if_closed(live, contact_id)


def send_reply(runtime: Runtime, contact_id: int, index: int, attempt: int) -> str | None:
    """Send one specialist reply from the line's number; return Twilio's SID.

    A REST failure is tried again with backoff; out of tries, or at an error no retry
    fixes, the conversation is flagged undeliverable for the specialist. Twilio's 21610 (the
    texter opted out) closes the conversation as their STOP would.
    """
    with runtime.sessions() as session:
        contact = session.get(Contact, contact_id)
        if contact is None:
            return None
        live = LiveLine(runtime.redis, contact.line_id)
        details = live.conversation(contact_id)
        sealed = live.message(contact_id, index)
        if sealed is None:
            return None
        to = live.address(contact_id)
        if to is None:
            # Redis lost the texter's number: the reply goes once their next text seals it.
            return None
        if int(live.delivery(contact_id).get(f"attempt:{index}") or 0) >= attempt:
            return None
        line = session.get(Line, contact.line_id)
        closed = details.get("closed") == b"1"
        if contact.caller_tag and is_opted_out(session, line.id, contact.caller_tag):
            _give_up(live, contact_id, index)
            return None
        body = json.loads(runtime.sealer.open(sealed))["body"]
        try:
            sid = runtime.gateway.send_text(
                to=runtime.sealer.open(to),
                from_=line.twilio_number,
                body=body,
                status_callback=runtime.url(urls.text_status(line.id, contact_id)),
            )
        except (TwilioRefused, TwilioUnreachable) as error:
            code = error.code if isinstance(error, TwilioRefused) else None
            log.warning(
                "could not send reply %s of contact %s, attempt %s (Twilio error %s)",
                index,
                contact_id,
                attempt,
                code,
            )
            if code == UNSUBSCRIBED and contact.caller_tag:
                _give_up(live, contact_id, index)
                _opted_out_at_twilio(runtime, session, contact)
                return None
            retry_after = None if closed else send_retry_after(attempt, code)
            if retry_after is None:
                _give_up(live, contact_id, index)
            else:
                runtime.jobs.send_text_reply(
                    contact_id, index, attempt=attempt + 1, after_seconds=retry_after
                )
            return None
        live.record_sent(contact_id, index, sid, attempt)
        live.publish("text_status", contact_id=contact_id, index=index, status="queued")
        _forget_if_closed(live, contact_id)
        return sid


def _opted_out_at_twilio(runtime: Runtime, session: Session, contact: Contact) -> None:
    """Treat Twilio's 21610 as the texter's STOP: note it, close the conversation, send no more."""
    record_opt_out(session, contact.line_id, contact.caller_tag, utcnow())
    close_conversation(
        session,
        runtime.redis,
        runtime.jobs,
        contact_id=contact.id,
        reason=CloseReason.OPTED_OUT,
        at=utcnow(),
    )


def watch_conversation(runtime: Runtime, contact_id: int, due_ms: int) -> str:
    """Look at an open conversation when due: remind a waiting texter, or close an idle one.

    Only the latest scheduled look acts. A waiting texter hears their place a couple of
    times unprompted; a conversation a specialist holds closes after the line's inactivity
    time, unless it was ever crisis-flagged.
    """
    with runtime.sessions() as session:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.channel is not Channel.SMS or contact.ended_at is not None:
            return "closed"
        live = LiveLine(runtime.redis, contact.line_id)
        details = live.conversation(contact_id)
        if int(details.get("watch_due") or 0) != due_ms:
            return "superseded"
        line = session.get(Line, contact.line_id)
        if contact.specialist_id is None:
            reminders = int(details.get("reminders") or 0)
            return _remind(runtime, session, live, line, contact, reminders)
        if contact.crisis_tier > 0:
            return "crisis"
        timeout = timedelta(minutes=line.text_inactivity_minutes)
        idle = inactive_for(live, contact_id) or timeout
        if idle >= timeout:
            close_conversation(
                session,
                runtime.redis,
                runtime.jobs,
                contact_id=contact_id,
                reason=CloseReason.INACTIVE,
                at=utcnow(),
            )
            return "closed_inactive"
        watch(live, runtime.jobs, contact_id, int((timeout - idle).total_seconds()) + 1)
        return "watching"


def _remind(
    runtime: Runtime, session: Session, live: LiveLine, line: Line, contact: Contact, reminders: int
) -> str:
    if reminders >= UNPROMPTED_REMINDERS:
        return "waiting"
    interval = line.text_reminder_minutes * 60
    position = live.position(contact.id)
    details = live.conversation(contact.id)
    opted_out = contact.caller_tag and is_opted_out(session, line.id, contact.caller_tag)
    if (
        position
        and "to" in details
        and not opted_out
        and live.first_notice(f"waiting:{contact.id}", interval)
    ):
        body = wording.text("still_waiting", contact.language, position=position)
        runtime.gateway.send_text(
            to=runtime.sealer.open(details["to"]),
            from_=line.twilio_number,
            body=body,
            status_callback=runtime.url(urls.text_status(line.id, contact.id)),
        )
        keep_line_texts(
            runtime.redis,
            runtime.sealer,
            line_id=line.id,
            contact_id=contact.id,
            sent=[("still_waiting", body)],
            at=utcnow(),
        )
    live.keep_conversation(contact.id, reminders=reminders + 1)
    if reminders + 1 < UNPROMPTED_REMINDERS:
        watch(live, runtime.jobs, contact.id, interval)
    return "reminded"


def delivery_report(
    client: redis.Redis,
    jobs: Jobs,
    *,
    line_id: int,
    contact_id: int,
    message_sid: str,
    status: str,
    error_code: int | None,
) -> bool:
    """Record a sent text's status, once per (MessageSid, status), never moving it back.

    A failed delivery is tried again with backoff; once out of tries, or at an error no retry
    fixes, the conversation is flagged undeliverable for its specialist. True if it changed.
    """
    if not first_time_seen(client, f"{message_sid}:{status}"):
        return False
    live = live_line(client, line_id)
    moved = live.update_delivery(contact_id, message_sid, status, DELIVERY_RANK.get(status, 0))
    if moved is None:
        return False
    index, changed = moved
    delivery = live.delivery(contact_id)
    if delivery.get(f"sid:{index}") != message_sid:
        # A report for an earlier attempt at this message: the latest one decides.
        return changed
    if changed:
        live.publish("text_status", contact_id=contact_id, index=index, status=status)
    if status in FAILED:
        attempt = int(delivery.get(f"attempt:{index}") or 1)
        retry_after = send_retry_after(attempt, error_code)
        if retry_after is None:
            flag_undeliverable(live, contact_id, index)
        else:
            jobs.send_text_reply(contact_id, index, attempt=attempt + 1, after_seconds=retry_after)
    return changed


def send_retry_after(attempt: int, error_code: int | None) -> int | None:
    """Return how long to wait before trying a failed send again, or None to give up."""
    if error_code in PERMANENT_ERRORS or attempt >= MAX_SEND_ATTEMPTS:
        return None
    return SEND_BACKOFF_SECONDS[attempt - 1]


def flag_undeliverable(live: LiveLine, contact_id: int, index: int) -> None:
    """Tell the conversation's specialist their texts are not reaching the texter."""
    live.give_up_sending(contact_id, index)
    live.keep_conversation(contact_id, undeliverable=1)
    live.publish(
        "text_undeliverable",
        contact_id=contact_id,
        index=index,
        specialist_id=live.text_specialist(contact_id) or 0,
    )


def inactive_for(live: LiveLine, contact_id: int) -> timedelta | None:
    """Return how long nobody has written in an open conversation."""
    raw = live.conversation(contact_id).get("last_activity")
    if raw is None:
        return None
    return datetime.now(UTC) - datetime.fromtimestamp(int(raw) / 1000, UTC)
