"""A text conversation once it is open: taken, replied to, read, closed.

The texter's number and every message exist only sealed in Redis while the conversation
is open; SQL keeps the contact's metadata whitelist and nothing else.
"""

from __future__ import annotations

import enum
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline import feedback, wellbeing
from warmline.crisis.scripts import referral_script, script_language, survey_script
from warmline.jobs import Jobs
from warmline.lines import context
from warmline.live import LiveLine, now_ms
from warmline.models import Channel, Contact, Line, Outcome, User
from warmline.privacy import Sealer
from warmline.sentences import N_, Refused
from warmline.texts.offering import texts_allowed, withdraw_text_offer

log = logging.getLogger(__name__)
# Twilio refuses a longer body.
MAX_REPLY = 1600
TEXTER = "texter"
SPECIALIST = "specialist"
# The line's own automatic texts: the welcome, the crisis reply, a reminder of one's place.
LINE = "line"


@dataclass(frozen=True)
class TextMessage:
    """One message of an open conversation, opened for the specialist who owns it."""

    index: int
    sender: str
    body: str = field(repr=False)
    at: datetime
    pictures: int = 0
    status: str | None = None
    specialist_id: int | None = None
    # What the line's automatic text was ("welcome", "referral"...); None for a person's.
    kind: str | None = None


@dataclass(frozen=True)
class Sent:
    """A reply handed to the workers to send."""

    contact_id: int
    index: int


class CloseReason(enum.StrEnum):
    SPECIALIST = "specialist"
    OPTED_OUT = "opted_out"
    INACTIVE = "inactive"


class ConversationUnavailable(LookupError):
    """No open text conversation has that id."""


class NotYourConversation(PermissionError):
    """The conversation belongs to another specialist, or to nobody yet."""


class ConfirmFlaggedClose(RuntimeError):
    """A crisis-flagged conversation closes only when the specialist confirms it."""


def live_line(client: redis.Redis, line_id: int) -> LiveLine:
    return LiveLine(client, line_id)


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def seconds_between(start: datetime | None, end: datetime) -> int | None:
    return None if start is None else max(0, round((end - start).total_seconds()))


def seal_message(sealer: Sealer, sender: str, body: str, at: datetime, **extra) -> bytes:
    """Seal one message with who sent it and when, for the conversation's Redis list."""
    return sealer.seal(json.dumps({"from": sender, "body": body, "at": at.isoformat(), **extra}))


def watch(live: LiveLine, jobs: Jobs, contact_id: int, after_seconds: int) -> None:
    """Schedule the conversation's next look (a reminder, or the inactivity close).

    Only the latest scheduled look acts: an earlier one finds its due time replaced.
    """
    due = now_ms() + after_seconds * 1000
    live.keep_conversation(contact_id, watch_due=due)
    jobs.watch_text(contact_id, due, after_seconds=after_seconds)


def accept_text(
    session: Session,
    client: redis.Redis,
    jobs: Jobs,
    *,
    line_id: int,
    specialist_id: int,
    contact_id: int | None = None,
    at: datetime,
) -> int | None:
    """Take a waiting texter (that one, or the first in line they speak); return its id.

    Of two specialists racing for the same texter exactly one wins, and taking a texter being
    offered to someone else ends that offer. A specialist holds at most the line's
    `max_texts_per_specialist` at once (or their own lower limit), and none while on a call
    unless the line allows texts during calls; while texting they get no phone offers (same
    rule).
    """
    line = session.get(Line, line_id)
    specialist = session.get(User, specialist_id)
    if line is None or specialist is None or not specialist.active:
        return None
    live = live_line(client, line.id)
    took = live.accept_text(
        specialist_id,
        contact_id=contact_id,
        max_texts=texts_allowed(line, specialist),
        during_calls=line.texts_during_calls,
    )
    if took is None:
        return None
    if took.offered_to is not None:
        live.publish("text_offer_taken", contact_id=took.contact_id, specialist_id=took.offered_to)
    if took.offered_to is not None or took.released is not None:
        # Someone was freed of an offer: they, or that text, may go to the next one.
        jobs.offer_contacts(line.id)
    taken = took.contact_id
    contact = session.get(Contact, taken)
    if contact is None or contact.ended_at is not None:
        live.release_text(taken, specialist_id, ready_ms=now_ms(), status="available")
        return None
    contact.specialist_id = specialist_id
    contact.connected_at = at
    contact.wait_seconds = seconds_between(contact.arrived_at, at)
    session.commit()
    # Taking the conversation counts as activity: the texter may have waited a while.
    live.keep_conversation(taken, last_activity=epoch_ms(at))
    live.publish("contact_accepted", contact_id=taken, specialist_id=specialist_id, channel="sms")
    watch(live, jobs, taken, line.text_inactivity_minutes * 60)
    return taken


def _owned(session: Session, contact_id: int, specialist_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or contact.channel is not Channel.SMS or contact.ended_at is not None:
        raise ConversationUnavailable("no open text conversation has that id")
    if contact.specialist_id != specialist_id:
        raise NotYourConversation("this conversation is not yours")
    return contact


def reply(
    session: Session,
    client: redis.Redis,
    jobs: Jobs,
    *,
    sealer: Sealer,
    contact_id: int,
    specialist_id: int,
    body: str,
    at: datetime,
) -> Sent:
    """Queue a specialist's reply for a worker to send from the line's number.

    Raises ConversationUnavailable, NotYourConversation, or ValueError for an empty or
    over-long body.
    """
    text = body.strip()
    if not text or len(text) > MAX_REPLY:
        raise Refused(N_("a reply has 1 to %(most)s characters"), most=MAX_REPLY)
    contact = _owned(session, contact_id, specialist_id)
    live = live_line(client, contact.line_id)
    index = live.add_message(
        contact_id,
        seal_message(sealer, SPECIALIST, text, at, specialist_id=specialist_id),
        outbound=True,
    )
    live.keep_conversation(contact_id, last_activity=epoch_ms(at))
    jobs.send_text_reply(contact_id, index, attempt=1)
    return Sent(contact_id, index)


def conversation_messages(
    session: Session, client: redis.Redis, *, sealer: Sealer, contact_id: int, specialist_id: int
) -> list[TextMessage]:
    """Open an owned conversation's messages, oldest first, with each reply's delivery status.

    Raises ConversationUnavailable or NotYourConversation.
    """
    contact = _owned(session, contact_id, specialist_id)
    live = live_line(client, contact.line_id)
    delivery = live.delivery(contact_id)
    opened = []
    for index, sealed in enumerate(live.messages(contact_id)):
        message = json.loads(sealer.open(sealed))
        opened.append(
            TextMessage(
                index=index,
                sender=message["from"],
                body=message["body"],
                at=datetime.fromisoformat(message["at"]),
                pictures=message.get("pictures", 0),
                status=delivery.get(f"status:{index}") or None
                if message["from"] == SPECIALIST
                else None,
                specialist_id=message.get("specialist_id"),
                kind=message.get("kind"),
            )
        )
    return opened


def keep_line_texts(
    client: redis.Redis,
    sealer: Sealer,
    *,
    line_id: int,
    contact_id: int,
    sent: list[tuple[str, str]],
    at: datetime,
) -> None:
    """Seal the line's automatic texts, each a (kind, body), into an open conversation.

    Their specialist then reads everything the texter received; a conversation already
    closed, or never kept (a texter turned away), keeps nothing. Redis failing here loses
    only the record: the texts themselves still go out.
    """
    if not sent:
        return
    live = live_line(client, line_id)
    try:
        details = live.conversation(contact_id)
        if "to" not in details or details.get("closed") == b"1":
            return
        with client.pipeline(transaction=False) as pipe:
            for kind, body in sent:
                live.add_inbound(pipe, contact_id, seal_message(sealer, LINE, body, at, kind=kind))
            pipe.execute()
    except redis.RedisError:
        log.warning("could not keep the line's texts in conversation %s", contact_id)


def conversation_state(client: redis.Redis, *, line_id: int, contact_id: int) -> dict[str, int]:
    """Return what a dashboard shows beside a conversation: place in line, undeliverable."""
    live = live_line(client, line_id)
    details = live.conversation(contact_id)
    return {
        "position": live.position(contact_id) or 0,
        "undeliverable": int(details.get("undeliverable", b"0") or 0),
        "unsent": len(live.unsent(contact_id)),
    }


def return_texts(
    session: Session, client: redis.Redis, jobs: Jobs, *, line_id: int, specialist_id: int
) -> int:
    """Put a departing specialist's open texts back in line, each in its old place; return
    how many. Each waits unowned, so nobody reads it until another specialist takes it."""
    line = session.get(Line, line_id)
    live = live_line(client, line_id)
    returned = 0
    for contact_id in live.texts_held(specialist_id):
        contact = session.get(Contact, contact_id)
        if contact is None or contact.ended_at is not None:
            continue
        if not live.return_text(
            contact_id,
            specialist_id,
            tier=contact.crisis_tier,
            arrived_ms=epoch_ms(contact.arrived_at),
        ):
            continue
        contact.specialist_id = None
        session.commit()
        live.publish("contact_waiting", contact_id=contact_id, channel="sms")
        watch(live, jobs, contact_id, line.text_reminder_minutes * 60)
        returned += 1
    if returned:
        jobs.offer_contacts(line_id)
    return returned


def texts_held(client: redis.Redis, *, line_id: int, specialist_id: int) -> list[int]:
    """Return the text conversations a specialist has open on a line."""
    return live_line(client, line_id).texts_held(specialist_id)


def waiting_texts(session: Session, client: redis.Redis, *, line_id: int) -> list[int]:
    """Return the texters waiting on a line, in the order they will be taken."""
    live = live_line(client, line_id)
    waiting = live.waiting()
    found = session.scalars(
        select(Contact.id).where(Contact.id.in_(waiting), Contact.channel == Channel.SMS)
    ).all()
    texts = set(found)
    return [c for c in waiting if c in texts]


def close_by_specialist(
    session: Session,
    client: redis.Redis,
    jobs: Jobs,
    *,
    sealer: Sealer,
    contact_id: int,
    specialist_id: int,
    confirmed: bool,
    at: datetime,
) -> bool:
    """Close the specialist's own conversation; a flagged one ends with the crisis numbers,
    and one the line asks for feedback ends with its question.

    Returns whether this closed it (False when a STOP closed it a moment before).

    Raises ConversationUnavailable, NotYourConversation, or ConfirmFlaggedClose for a
    crisis-flagged conversation the specialist did not confirm closing.
    """
    contact = _owned(session, contact_id, specialist_id)
    if contact.crisis_tier > 0:
        if not confirmed:
            raise ConfirmFlaggedClose("this conversation is flagged for crisis signs")
        _send_closing_text(session, client, jobs, sealer, contact, specialist_id, at)
    line = session.get(Line, contact.line_id)
    if feedback.asked_by_text(session, line, contact, at):
        _send_survey(client, jobs, sealer, line, contact, at)
    return close_conversation(
        session,
        client,
        jobs,
        contact_id=contact_id,
        reason=CloseReason.SPECIALIST,
        at=at,
        specialist_id=specialist_id,
    )


def _send_closing_text(
    session: Session,
    client: redis.Redis,
    jobs: Jobs,
    sealer: Sealer,
    contact: Contact,
    specialist_id: int,
    at: datetime,
) -> None:
    """Queue the closing text naming the crisis numbers; it is sent after the close too."""
    line = session.get(Line, contact.line_id)
    text = referral_script(
        "close_flagged", "sms", script_language(contact.language), context(line).scripts
    )
    live = live_line(client, contact.line_id)
    index = live.add_message(
        contact.id,
        seal_message(sealer, SPECIALIST, text, at, specialist_id=specialist_id),
        outbound=True,
    )
    jobs.send_text_reply(contact.id, index, attempt=1)


def _send_survey(
    client: redis.Redis, jobs: Jobs, sealer: Sealer, line: Line, contact: Contact, at: datetime
) -> None:
    """Queue the feedback question as the conversation's last text; it is sent after the close,
    while the number is still sealed, and then forgotten with the rest."""
    text = survey_script(feedback.HELPFUL, "sms", contact.language, context(line).scripts)
    live = live_line(client, contact.line_id)
    index = live.add_message(
        contact.id, seal_message(sealer, LINE, text, at, kind=feedback.HELPFUL), outbound=True
    )
    jobs.send_text_reply(contact.id, index, attempt=1)


def _free_after_text(live: LiveLine, jobs: Jobs, line: Line, owner: int, contact: Contact) -> bool:
    """Put a specialist whose last text closed back on the rota after wrap-up (and recovery);
    return whether it was their last."""
    after = wellbeing.after_contact(live, line, owner, contact)
    freed = live.release_text(
        contact.id,
        owner,
        ready_ms=after.ready_ms,
        status=after.status,
        recovery_from_ms=after.recovery_from_ms,
    )
    wellbeing.settle(live, owner, after, given=freed)
    if freed:
        live.publish("wrap_up", specialist_id=owner, contact_id=contact.id)
        jobs.offer_contacts(line.id, after_seconds=after.seconds)
    return freed


def close_conversation(
    session: Session,
    client: redis.Redis,
    jobs: Jobs,
    *,
    contact_id: int,
    reason: CloseReason,
    at: datetime,
    specialist_id: int | None = None,
) -> bool:
    """Close a text conversation and delete its number and messages; True if it was open.

    A specialist closes only their own; inactivity never closes a crisis-flagged one.
    Replies not yet handed to Twilio are still sent, then forgotten (not after STOP).
    """
    contact = session.get(Contact, contact_id)
    if contact is None or contact.channel is not Channel.SMS or contact.ended_at is not None:
        return False
    if reason is CloseReason.SPECIALIST and contact.specialist_id != specialist_id:
        raise NotYourConversation("this conversation is not yours")
    if reason is CloseReason.INACTIVE and contact.crisis_tier > 0:
        return False
    line = session.get(Line, contact.line_id)
    contact.ended_at = at
    contact.total_seconds = seconds_between(contact.arrived_at, at)
    if contact.connected_at is not None:
        contact.talk_seconds = seconds_between(contact.connected_at, at)
    else:
        contact.wait_seconds = contact.total_seconds
    if reason is CloseReason.OPTED_OUT:
        contact.outcome = Outcome.OPTED_OUT
    elif contact.outcome is Outcome.OPEN:
        contact.outcome = Outcome.ANSWERED if contact.connected_at else Outcome.ABANDONED
    session.commit()
    live = live_line(client, line.id)
    owner = contact.specialist_id
    if owner is None:
        live.release_text(contact_id, None, ready_ms=now_ms(), status="available")
    elif not _free_after_text(live, jobs, line, owner, contact):
        # Room for one more text at once: another waiting texter may be offered to them.
        jobs.offer_contacts(line.id)
    # Out of line now, so offered to nobody new: end an offer made before it closed.
    withdraw_text_offer(live, jobs, contact_id)
    if contact.caller_tag:
        live.forget_texter(contact.caller_tag, contact_id)
    if reason is CloseReason.OPTED_OUT or not live.unsent(contact_id):
        live.forget_conversation(contact_id)
    else:
        live.keep_conversation(contact_id, closed=1)
    live.publish("contact_closed", contact_id=contact_id, channel="sms", reason=str(reason))
    return True
