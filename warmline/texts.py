"""Texts: a texter's conversation with a peer specialist, from the first text to its close.

Each function is one decision a webhook, a job or the dashboard needs, as in `calls`. The
texter's number and every message exist only sealed in Redis while the conversation is
open; SQL keeps the contact's metadata whitelist and nothing else.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import redis
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from warmline.calls import is_blocked, over_daily_limit
from warmline.crisis import detect
from warmline.crisis.scripts import script_language
from warmline.dispatch import Dispatcher
from warmline.lines import LineContext, context, find_line, is_open, next_opening
from warmline.live import LiveLine, first_time_seen, forget_seen, now_ms
from warmline.models import Channel, Contact, Line, Outcome, TextOptOut, User
from warmline.privacy import Sealer

# Twilio's default opt-out, opt-in and help keywords, matched against the whole message.
STOP_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit"})
START_WORDS = frozenset({"start", "unstop"})
HELP_WORDS = frozenset({"help", "info"})
# Twilio refuses a longer body.
MAX_REPLY = 1600
# A waiting texter who writes nothing hears their place this many times, then only on asking.
UNPROMPTED_REMINDERS = 2
# The closed-line reply is sent once per texter per closed stretch, for at most this long.
CLOSED_NOTICE_SECONDS = 12 * 3600
# Sends whose REST call fails are tried again after these pauses, then given up as failed.
SEND_BACKOFF_SECONDS = (10, 60, 300)
MAX_SEND_ATTEMPTS = len(SEND_BACKOFF_SECONDS) + 1
# Twilio error codes no retry can fix: opted out, not a mobile, unknown, blocked, landline.
PERMANENT_ERRORS = frozenset({21211, 21408, 21610, 21612, 21614, 30004, 30005, 30006})
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
TEXTER = "texter"
SPECIALIST = "specialist"


class Say(enum.Enum):
    """One text the webhook's reply sends back."""

    WELCOME = "welcome"
    REFERRAL = "referral"
    THIRD_PARTY = "third_party"
    POSITION = "position"
    CLOSED = "closed"
    BLOCKED = "blocked"
    LIMITED = "limited"
    HELP = "help"
    STOPPED = "stopped"
    STOPPED_FLAGGED = "stopped_flagged"
    STARTED = "started"
    NO_PICTURES = "no_pictures"
    NO_LINE = "no_line"


@dataclass(frozen=True)
class TextPlan:
    """What the webhook answers: the line, the conversation, and the texts to send back."""

    line: LineContext | None
    contact_id: int | None = None
    language: str = "en"
    says: tuple[Say, ...] = ()
    position: int | None = None
    reopens_at: datetime | None = None


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


def live_line(client: redis.Redis, line_id: int) -> LiveLine:
    return LiveLine(client, line_id)


def keyword(body: str) -> str:
    """Return the whole message folded for keyword matching: case and spacing ignored."""
    return "".join(body.split()).casefold()


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _seconds(start: datetime | None, end: datetime) -> int | None:
    return None if start is None else max(0, round((end - start).total_seconds()))


def _seal_message(sealer: Sealer, sender: str, body: str, at: datetime, **extra) -> bytes:
    return sealer.seal(json.dumps({"from": sender, "body": body, "at": at.isoformat(), **extra}))


# Arrival.


def receive_text(
    session: Session,
    client: redis.Redis,
    jobs: Dispatcher,
    sealer: Sealer,
    *,
    message_sid: str,
    line_number: str,
    caller_tag: str | None,
    sealed_number: bytes | None,
    body: str,
    pictures: int,
    at: datetime,
) -> TextPlan:
    """Take one incoming text: keywords, crisis, the texter's open conversation or a new one.

    A retried webhook (the same MessageSid) is answered with silence and changes nothing;
    a text whose handling fails part-way may be handled again.
    """
    line = find_line(session, line_number)
    if line is None:
        return TextPlan(None, says=(Say.NO_LINE,))
    if not first_time_seen(client, message_sid):
        return TextPlan(context(line))
    try:
        return _receive(
            session, client, jobs, sealer, line, caller_tag, sealed_number, body, pictures, at
        )
    except BaseException:
        forget_seen(client, message_sid)
        raise


def _receive(
    session: Session,
    client: redis.Redis,
    jobs: Dispatcher,
    sealer: Sealer,
    line: Line,
    caller_tag: str | None,
    sealed_number: bytes | None,
    body: str,
    pictures: int,
    at: datetime,
) -> TextPlan:
    live = live_line(client, line.id)
    word = keyword(body)
    detection = detect(body, extra_terms=line.crisis_terms or None)
    script = script_language(detection.language)
    language = detection.language if detection.language in line.languages else line.languages[0]
    crisis = _crisis_says(detection.tier, detection.third_party)
    if caller_tag is None or sealed_number is None:
        # No number to answer later: only this reply can reach them.
        return TextPlan(context(line), language=script, says=(*crisis, Say.HELP))
    if word in STOP_WORDS:
        return _opt_out(session, client, jobs, line, caller_tag, script, at)
    if word in START_WORDS:
        session.execute(
            delete(TextOptOut).where(
                TextOptOut.line_id == line.id, TextOptOut.caller_tag == caller_tag
            )
        )
        session.commit()
        return TextPlan(context(line), language=script, says=(Say.STARTED,))
    if is_opted_out(session, line.id, caller_tag):
        # They asked for nothing more until START; Twilio would refuse to deliver it anyway.
        return TextPlan(context(line), language=script)
    contact = _open_conversation(session, live, line, caller_tag)
    if contact is not None:
        return _follow_up(
            session, live, jobs, sealer, line, contact, sealed_number, body, pictures, at, detection
        )
    if word in HELP_WORDS:
        return TextPlan(context(line), language=script, says=(Say.HELP,))
    refusal = _refusal(session, line, live, caller_tag, detection.tier, at)
    if refusal is not None:
        return _turn_away(session, live, line, caller_tag, refusal, detection, script, at)
    return _open(
        session,
        live,
        jobs,
        sealer,
        line,
        caller_tag,
        sealed_number,
        body,
        pictures,
        at,
        detection,
        language,
    )


def _crisis_says(tier: int, third_party: bool) -> tuple[Say, ...]:
    if not tier:
        return ()
    return (Say.THIRD_PARTY if third_party else Say.REFERRAL,)


def is_opted_out(session: Session, line_id: int, caller_tag: str) -> bool:
    """Return whether the texter sent STOP and not START since."""
    found = session.scalar(
        select(TextOptOut.id).where(
            TextOptOut.line_id == line_id, TextOptOut.caller_tag == caller_tag
        )
    )
    return found is not None


def _open_conversation(
    session: Session, live: LiveLine, line: Line, caller_tag: str
) -> Contact | None:
    """Return the texter's open conversation: from Redis, or from SQL when Redis lost it."""
    contact_id = live.texter_conversation(caller_tag)
    if contact_id is not None:
        contact = session.get(Contact, contact_id)
        if contact is not None and contact.ended_at is None:
            return contact
        live.forget_texter(caller_tag, contact_id)
    contact = session.scalar(
        select(Contact)
        .where(
            Contact.line_id == line.id,
            Contact.channel == Channel.SMS,
            Contact.caller_tag == caller_tag,
            Contact.ended_at.is_(None),
        )
        .order_by(Contact.arrived_at.desc())
        .limit(1)
    )
    if contact is not None:
        live.claim_texter(caller_tag, contact.id)
    return contact


def _refusal(
    session: Session, line: Line, live: LiveLine, caller_tag: str, tier: int, at: datetime
) -> Say | None:
    """Say why a new conversation can't be queued, or None when it can."""
    if is_blocked(session, line.id, caller_tag, at):
        return Say.BLOCKED
    if not tier and over_daily_limit(session, line, caller_tag, at):
        return Say.LIMITED
    if not is_open(line, at) or not live.anyone_present():
        return Say.CLOSED
    return None


def _turn_away(
    session: Session,
    live: LiveLine,
    line: Line,
    caller_tag: str,
    refusal: Say,
    detection,
    script: str,
    at: datetime,
) -> TextPlan:
    """Answer a texter who can't be queued: a crisis text always gets the referral."""
    crisis = _crisis_says(detection.tier, detection.third_party)
    notice = refusal
    if refusal is Say.CLOSED:
        seconds = CLOSED_NOTICE_SECONDS
        reopens = next_opening(line, at)
        if reopens is not None:
            seconds = min(seconds, int((reopens - at).total_seconds()))
        if not live.first_notice(f"closed:{caller_tag}", seconds):
            notice = None
    if not crisis and notice is None:
        return TextPlan(context(line), language=script)
    outcome = {
        Say.BLOCKED: Outcome.BLOCKED,
        Say.LIMITED: Outcome.LIMITED,
        Say.CLOSED: Outcome.AFTER_HOURS,
    }[refusal]
    contact = Contact(
        line_id=line.id,
        channel=Channel.SMS,
        caller_tag=caller_tag,
        arrived_at=at,
        ended_at=at,
        total_seconds=0,
        language=detection.language if detection.language in line.languages else line.languages[0],
        outcome=Outcome.CRISIS_REFERRED if crisis else outcome,
        crisis_tier=detection.tier,
        crisis_referred_at=at if crisis else None,
    )
    session.add(contact)
    session.commit()
    if crisis:
        live.publish("crisis_alert", contact_id=contact.id, tier=detection.tier, channel="sms")
    says = (*crisis, notice) if notice else crisis
    return TextPlan(
        context(line),
        contact.id,
        script,
        says,
        reopens_at=next_opening(line, at)
        if notice is Say.CLOSED and not is_open(line, at)
        else None,
    )


def _open(
    session: Session,
    live: LiveLine,
    jobs: Dispatcher,
    sealer: Sealer,
    line: Line,
    caller_tag: str,
    sealed_number: bytes,
    body: str,
    pictures: int,
    at: datetime,
    detection,
    language: str,
) -> TextPlan:
    """Open a conversation and put it in line, unless a racing text from the texter did."""
    crisis = _crisis_says(detection.tier, detection.third_party)
    contact = Contact(
        line_id=line.id,
        channel=Channel.SMS,
        caller_tag=caller_tag,
        arrived_at=at,
        language=language,
        crisis_tier=detection.tier,
        crisis_referred_at=at if crisis else None,
    )
    session.add(contact)
    session.commit()
    owner = live.claim_texter(caller_tag, contact.id)
    if owner != contact.id:
        # The texter's other text opened the conversation a moment ago: join it instead.
        session.delete(contact)
        session.commit()
        winner = session.get(Contact, owner)
        return _follow_up(
            session, live, jobs, sealer, line, winner, sealed_number, body, pictures, at, detection
        )
    live.keep_conversation(
        contact.id,
        to=sealed_number,
        tag=caller_tag,
        last_activity=_ms(at),
        reminders=0,
        pictures_told=int(pictures > 0),
    )
    live.add_message(
        contact.id, _seal_message(sealer, TEXTER, body, at, pictures=pictures), outbound=False
    )
    live.enqueue_text(contact.id, language=language, tier=detection.tier, arrived_ms=_ms(at))
    live.first_notice(f"waiting:{contact.id}", line.text_reminder_minutes * 60)
    live.publish("contact_waiting", contact_id=contact.id, channel="sms")
    if crisis:
        live.publish("crisis_alert", contact_id=contact.id, tier=detection.tier, channel="sms")
    watch(live, jobs, contact.id, line.text_reminder_minutes * 60)
    says = (*crisis, Say.WELCOME, *((Say.NO_PICTURES,) if pictures else ()))
    return TextPlan(context(line), contact.id, script_language(detection.language), says)


def _follow_up(
    session: Session,
    live: LiveLine,
    jobs: Dispatcher,
    sealer: Sealer,
    line: Line,
    contact: Contact,
    sealed_number: bytes,
    body: str,
    pictures: int,
    at: datetime,
    detection,
) -> TextPlan:
    """Add a text to the texter's open conversation; a crisis sign moves it ahead for good."""
    crisis = _crisis_says(detection.tier, detection.third_party)
    if crisis:
        contact.crisis_tier = detection.tier
        contact.crisis_referred_at = contact.crisis_referred_at or at
        session.commit()
    if contact.specialist_id is None and not live.is_live(contact.id):
        # Redis lost this conversation: put it back in its old place.
        restore(live, contact)
    told = live.conversation(contact.id).get("pictures_told") == b"1"
    # The number is sealed again on every text, which also mends a conversation Redis lost.
    live.keep_conversation(
        contact.id,
        to=sealed_number,
        tag=contact.caller_tag or "",
        last_activity=_ms(at),
        pictures_told=int(told or pictures > 0),
    )
    live.add_message(
        contact.id, _seal_message(sealer, TEXTER, body, at, pictures=pictures), outbound=False
    )
    if crisis:
        live.raise_tier(contact.id, detection.tier)
        live.publish("crisis_alert", contact_id=contact.id, tier=detection.tier, channel="sms")
    owner = contact.specialist_id
    live.publish("text_received", contact_id=contact.id, specialist_id=owner or 0)
    says = list(crisis)
    if keyword(body) in HELP_WORDS:
        says.append(Say.HELP)
    if pictures and not told:
        says.append(Say.NO_PICTURES)
    position = None
    if owner is None:
        position = live.position(contact.id)
        if position and live.first_notice(f"waiting:{contact.id}", line.text_reminder_minutes * 60):
            says.append(Say.POSITION)
    return TextPlan(
        context(line),
        contact.id,
        script_language(detection.language or contact.language),
        tuple(says),
        position=position,
    )


def _opt_out(
    session: Session,
    client: redis.Redis,
    jobs: Dispatcher,
    line: Line,
    caller_tag: str,
    script: str,
    at: datetime,
) -> TextPlan:
    """STOP: close the open conversation, send nothing more until START; one closing reply."""
    if not is_opted_out(session, line.id, caller_tag):
        session.add(TextOptOut(line_id=line.id, caller_tag=caller_tag, opted_out_at=at))
        session.commit()
    live = live_line(client, line.id)
    contact = _open_conversation(session, live, line, caller_tag)
    flagged = False
    if contact is not None:
        flagged = contact.crisis_tier > 0
        close_conversation(
            session, client, jobs, contact_id=contact.id, reason=CloseReason.OPTED_OUT, at=at
        )
    say = Say.STOPPED_FLAGGED if flagged else Say.STOPPED
    language = script_language(contact.language) if contact is not None else script
    return TextPlan(context(line), contact.id if contact else None, language, (say,))


def restore(live: LiveLine, contact: Contact) -> None:
    """Put a waiting text back in its old place after Redis lost it."""
    live.enqueue_text(
        contact.id,
        language=contact.language,
        tier=contact.crisis_tier,
        arrived_ms=_ms(contact.arrived_at),
    )


def watch(live: LiveLine, jobs: Dispatcher, contact_id: int, after_seconds: int) -> None:
    """Schedule the conversation's next look (a reminder, or the inactivity close).

    Only the latest scheduled look acts: an earlier one finds its due time replaced.
    """
    due = now_ms() + after_seconds * 1000
    live.keep_conversation(contact_id, watch_due=due)
    jobs.watch_text(contact_id, due, after_seconds=after_seconds)


# The dashboard.


def accept_text(
    session: Session,
    client: redis.Redis,
    jobs: Dispatcher,
    *,
    line_id: int,
    specialist_id: int,
    contact_id: int | None = None,
    at: datetime,
) -> int | None:
    """Take a waiting texter (that one, or the first in line they speak); return its id.

    Of two specialists racing for the same texter exactly one wins. A specialist holds at
    most the line's `max_texts_per_specialist` at once (or their own lower limit), and none
    while on a call unless the line allows texts during calls; while texting they get no
    phone offers (same rule).
    """
    line = session.get(Line, line_id)
    specialist = session.get(User, specialist_id)
    if line is None or specialist is None:
        return None
    live = live_line(client, line.id)
    taken = live.accept_text(
        specialist_id,
        contact_id=contact_id,
        max_texts=min(
            line.max_texts_per_specialist,
            specialist.max_texts or line.max_texts_per_specialist,
        ),
        during_calls=line.texts_during_calls,
    )
    if taken is None:
        return None
    contact = session.get(Contact, taken)
    if contact is None or contact.ended_at is not None:
        live.release_text(taken, specialist_id, ready_ms=now_ms(), status="available")
        return None
    contact.specialist_id = specialist_id
    contact.connected_at = at
    contact.wait_seconds = _seconds(contact.arrived_at, at)
    session.commit()
    # Taking the conversation counts as activity: the texter may have waited a while.
    live.keep_conversation(taken, last_activity=_ms(at))
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
    jobs: Dispatcher,
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
        raise ValueError(f"a reply has 1 to {MAX_REPLY} characters")
    contact = _owned(session, contact_id, specialist_id)
    live = live_line(client, contact.line_id)
    index = live.add_message(
        contact_id,
        _seal_message(sealer, SPECIALIST, text, at, specialist_id=specialist_id),
        outbound=True,
    )
    live.keep_conversation(contact_id, last_activity=_ms(at))
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
            )
        )
    return opened


def conversation_state(client: redis.Redis, *, line_id: int, contact_id: int) -> dict[str, int]:
    """Return what a dashboard shows beside a conversation: place in line, undeliverable."""
    live = live_line(client, line_id)
    details = live.conversation(contact_id)
    return {
        "position": live.position(contact_id) or 0,
        "undeliverable": int(details.get("undeliverable", b"0") or 0),
        "unsent": len(live.unsent(contact_id)),
    }


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


# Endings.


def close_conversation(
    session: Session,
    client: redis.Redis,
    jobs: Dispatcher,
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
    contact.total_seconds = _seconds(contact.arrived_at, at)
    if contact.connected_at is not None:
        contact.talk_seconds = _seconds(contact.connected_at, at)
    else:
        contact.wait_seconds = contact.total_seconds
    if reason is CloseReason.OPTED_OUT:
        contact.outcome = Outcome.OPTED_OUT
    elif contact.outcome is Outcome.OPEN:
        contact.outcome = Outcome.ANSWERED if contact.connected_at else Outcome.ABANDONED
    session.commit()
    live = live_line(client, line.id)
    owner = contact.specialist_id
    if live.release_text(
        contact_id,
        owner,
        ready_ms=now_ms() + line.wrap_up_seconds * 1000,
        status="wrap_up" if line.wrap_up_seconds else "available",
    ):
        live.publish("wrap_up", specialist_id=owner, contact_id=contact_id)
        jobs.offer_contacts(line.id, after_seconds=line.wrap_up_seconds)
    if contact.caller_tag:
        live.forget_texter(contact.caller_tag, contact_id)
    if reason is CloseReason.OPTED_OUT or not live.unsent(contact_id):
        live.forget_conversation(contact_id)
    else:
        live.keep_conversation(contact_id, closed=1)
    live.publish("contact_closed", contact_id=contact_id, channel="sms", reason=str(reason))
    return True


def delivery_report(
    client: redis.Redis,
    jobs: Dispatcher,
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
