"""RQ jobs for the text line: plain functions taking ids, doing nothing once the world moved on."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from urllib.parse import urlencode

from requests import RequestException
from sqlalchemy import select
from twilio.base.exceptions import TwilioRestException

from warmline import texts, wording
from warmline.live import LiveLine
from warmline.models import Channel, Contact, Line, utcnow
from workers.context import current

log = logging.getLogger(__name__)
STATUS_PATH = "/webhooks/sms/status"
# How long a closed conversation's unsent replies may keep its sealed data for their send.
SENDING_GRACE = timedelta(minutes=10)


def status_url(line_id: int, contact_id: int) -> str:
    """Return where Twilio reports a sent text's delivery, naming our ids only."""
    query = urlencode({"line": line_id, "contact": contact_id})
    return f"{current().settings.public_url}{STATUS_PATH}?{query}"


def _forget_if_closed(live: LiveLine, contact_id: int) -> None:
    """Delete a closed conversation's sealed data once its last reply has gone out."""
    if live.conversation(contact_id).get("closed") == b"1" and not live.unsent(contact_id):
        live.forget_conversation(contact_id)


def send_reply(contact_id: int, index: int, attempt: int) -> str | None:
    """Send one specialist reply from the line's number; return Twilio's SID.

    A REST failure is tried again with backoff; out of tries, or at an error no retry
    fixes, the conversation is flagged undeliverable for the specialist.
    """
    services = current()
    with services.sessions() as session:
        contact = session.get(Contact, contact_id)
        if contact is None:
            return None
        live = LiveLine(services.redis, contact.line_id)
        details = live.conversation(contact_id)
        sealed = live.message(contact_id, index)
        if "to" not in details or sealed is None:
            return None
        if int(live.delivery(contact_id).get(f"attempt:{index}") or 0) >= attempt:
            return None
        line = session.get(Line, contact.line_id)
        closed = details.get("closed") == b"1"
        if contact.caller_tag and texts.is_opted_out(session, line.id, contact.caller_tag):
            texts.flag_undeliverable(live, contact_id, index)
            _forget_if_closed(live, contact_id)
            return None
        body = json.loads(services.sealer.open(sealed))["body"]
        try:
            sid = services.gateway.send_text(
                to=services.sealer.open(details["to"]),
                from_=line.twilio_number,
                body=body,
                status_callback=status_url(line.id, contact_id),
            )
        except (TwilioRestException, RequestException) as error:
            code = getattr(error, "code", None)
            log.warning(
                "could not send reply %s of contact %s, attempt %s (Twilio error %s)",
                index,
                contact_id,
                attempt,
                code,
            )
            retry_after = None if closed else texts.send_retry_after(attempt, code)
            if retry_after is None:
                texts.flag_undeliverable(live, contact_id, index)
                _forget_if_closed(live, contact_id)
            else:
                services.dispatch.send_text_reply(
                    contact_id, index, attempt=attempt + 1, after_seconds=retry_after
                )
            return None
        live.record_sent(contact_id, index, sid, attempt)
        live.publish("text_status", contact_id=contact_id, index=index, status="queued")
        _forget_if_closed(live, contact_id)
        return sid


def watch_conversation(contact_id: int, due_ms: int) -> str:
    """Look at an open conversation when due: remind a waiting texter, or close an idle one.

    Only the latest scheduled look acts. A waiting texter hears their place a couple of
    times unprompted; a conversation a specialist holds closes after the line's inactivity
    time, unless it was ever crisis-flagged.
    """
    services = current()
    with services.sessions() as session:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.channel is not Channel.SMS or contact.ended_at is not None:
            return "closed"
        live = LiveLine(services.redis, contact.line_id)
        details = live.conversation(contact_id)
        if int(details.get("watch_due") or 0) != due_ms:
            return "superseded"
        line = session.get(Line, contact.line_id)
        if contact.specialist_id is None:
            return _remind(session, live, line, contact, int(details.get("reminders") or 0))
        if contact.crisis_tier > 0:
            return "crisis"
        timeout = timedelta(minutes=line.text_inactivity_minutes)
        idle = texts.inactive_for(live, contact_id) or timeout
        if idle >= timeout:
            texts.close_conversation(
                session,
                services.redis,
                services.dispatch,
                contact_id=contact_id,
                reason=texts.CloseReason.INACTIVE,
                at=utcnow(),
            )
            return "closed_inactive"
        texts.watch(live, services.dispatch, contact_id, int((timeout - idle).total_seconds()) + 1)
        return "watching"


def _remind(session, live: LiveLine, line: Line, contact: Contact, reminders: int) -> str:
    services = current()
    if reminders >= texts.UNPROMPTED_REMINDERS:
        return "waiting"
    interval = line.text_reminder_minutes * 60
    position = live.position(contact.id)
    details = live.conversation(contact.id)
    opted_out = contact.caller_tag and texts.is_opted_out(session, line.id, contact.caller_tag)
    if (
        position
        and "to" in details
        and not opted_out
        and live.first_notice(f"waiting:{contact.id}", interval)
    ):
        services.gateway.send_text(
            to=services.sealer.open(details["to"]),
            from_=line.twilio_number,
            body=wording.text("still_waiting", contact.language, position=position),
            status_callback=status_url(line.id, contact.id),
        )
    live.keep_conversation(contact.id, reminders=reminders + 1)
    if reminders + 1 < texts.UNPROMPTED_REMINDERS:
        texts.watch(live, services.dispatch, contact.id, interval)
    return "reminded"


def sweep_text_conversations() -> dict[str, int]:
    """Mend what a lost job or a restarted Redis left behind; return what was mended.

    Waiting texts missing from the line go back to their old place, held conversations idle
    past the line's inactivity time close (never a crisis-flagged one), and sealed data of
    conversations already closed is deleted.
    """
    services = current()
    mended = {"restored": 0, "closed_inactive": 0, "forgotten": 0}
    with services.sessions() as session:
        for line in session.scalars(select(Line)):
            live = LiveLine(services.redis, line.id)
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
                        services.redis,
                        services.dispatch,
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
