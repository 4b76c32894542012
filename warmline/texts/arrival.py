"""Arrival: one incoming text read for keywords and crisis, then joined to the texter's open
conversation, opened as a new one, or answered with why it cannot be.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime

import redis
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from warmline import feedback
from warmline.admission import Admission, Refusal, admit, caller_history
from warmline.crisis import Detection, detect
from warmline.crisis.carry import CarriedFlag
from warmline.crisis.language import INTERPRETED
from warmline.crisis.scripts import script_language
from warmline.jobs import Jobs
from warmline.lines import LineCache, LineContext, context
from warmline.live import LiveLine, first_time_seen, forget_seen
from warmline.models import Channel, Contact, Line, Outcome, TextOptOut
from warmline.privacy import Sealer
from warmline.texts.conversation import (
    TEXTER,
    CloseReason,
    close_conversation,
    epoch_ms,
    live_line,
    seal_message,
    watch,
)

# Twilio's default opt-out, opt-in and help keywords, matched against the whole message:
# https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out and
# https://help.twilio.com/hc/en-us/articles/223134027-Twilio-support-for-opt-out-keywords-SMS-STOP-filtering-
STOP_WORDS = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"}
)
START_WORDS = frozenset({"start", "yes", "unstop"})
HELP_WORDS = frozenset({"help", "info"})
# The closed-line reply is sent once per texter per closed stretch, for at most this long.
CLOSED_NOTICE_SECONDS = 12 * 3600


class Keyword(enum.Enum):
    """What a keyword text asks for, named as Twilio's OptOutType parameter names it."""

    STOP = "STOP"
    START = "START"
    HELP = "HELP"


WORDS = {Keyword.STOP: STOP_WORDS, Keyword.START: START_WORDS, Keyword.HELP: HELP_WORDS}


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
    SURVEY_THANKS = "survey_thanks"
    # In the texter's own language, a language the line does not speak: 988 with an interpreter.
    INTERPRETER = "interpreter"


REFUSALS = {
    Refusal.BLOCKED: (Say.BLOCKED, Outcome.BLOCKED),
    Refusal.LIMITED: (Say.LIMITED, Outcome.LIMITED),
    Refusal.CLOSED: (Say.CLOSED, Outcome.AFTER_HOURS),
}


@dataclass(frozen=True)
class IncomingText:
    """An incoming text; the texter's number arrives only sealed, to reply while open."""

    message_sid: str
    line_number: str
    caller_tag: str | None
    sealed_number: bytes | None = field(repr=False)
    body: str = field(repr=False)
    pictures: int = 0
    # Twilio's OptOutType: sent when the number's Advanced Opt-Out took the text as a keyword.
    opt_out_type: Keyword | None = None


@dataclass(frozen=True)
class TextPlan:
    """What the webhook answers: the line, the conversation, and the texts to send back."""

    line: LineContext | None
    contact_id: int | None = None
    language: str = "en"
    says: tuple[Say, ...] = ()
    position: int | None = None
    reopens_at: datetime | None = None
    # The language of the interpreter reply (Say.INTERPRETER), one the line does not speak.
    unspoken: str | None = None


@dataclass(frozen=True)
class _Desk:
    """Where one text is handled: the connections and the line it came to."""

    session: Session
    live: LiveLine
    jobs: Jobs
    sealer: Sealer
    line: Line


@dataclass(frozen=True)
class _Reading:
    """One text from a known texter, as the line reads it."""

    caller_tag: str
    sealed_number: bytes = field(repr=False)
    body: str = field(repr=False)
    pictures: int
    at: datetime
    detection: Detection
    # The line's language nearest the text's, and the language its scripts are sent in.
    language: str
    script: str
    # A crisis flag from the texter's earlier contact, still carried (a new conversation only).
    carried: CarriedFlag | None = None
    # The language the text is surely written in when the line does not speak it.
    unspoken: str | None = None

    @property
    def tier(self) -> int:
        """The crisis tier the text's contact has: its own signs, or the flag carried over."""
        return max(self.detection.tier, self.carried.tier if self.carried else 0)

    @property
    def crisis(self) -> tuple[Say, ...]:
        if self.carried is not None and not self.detection.tier:
            return (Say.REFERRAL,)
        return _crisis_says(self.detection)


def unspoken_language(detection: Detection, line: Line) -> str | None:
    """Return the language a text is surely written in, if the line does not speak it."""
    language = detection.language
    return language if language in INTERPRETED and language not in line.languages else None


def _crisis_says(detection: Detection) -> tuple[Say, ...]:
    """Return the referral a text needs, if it shows crisis signs."""
    if not detection.tier:
        return ()
    return (Say.THIRD_PARTY if detection.third_party else Say.REFERRAL,)


def keyword(body: str) -> str:
    """Return the whole message folded for keyword matching: case and spacing ignored."""
    return "".join(body.split()).casefold()


def _keyword_in(word: str) -> Keyword | None:
    return next((kind for kind, words in WORDS.items() if word in words), None)


def read_keyword(line: Line, text: IncomingText) -> Keyword | None:
    """Return the keyword a text is: Twilio's OptOutType when sent, else the message's words.

    Where Twilio answers keywords the line reads them exactly as Twilio does (the whole
    message, in any case), so that its opt-outs and Twilio's are the same; a line answering
    them itself also ignores the spacing inside the word.
    """
    if text.opt_out_type is not None:
        return text.opt_out_type
    if line.twilio_opt_out:
        return _keyword_in(text.body.strip().casefold())
    return _keyword_in(keyword(text.body))


def receive_text(
    session: Session,
    client: redis.Redis,
    jobs: Jobs,
    sealer: Sealer,
    text: IncomingText,
    *,
    lines: LineCache,
    at: datetime,
) -> TextPlan:
    """Take one incoming text: keywords, crisis, the texter's open conversation or a new one.

    A retried webhook (the same MessageSid) is answered with silence and changes nothing;
    a text whose handling fails part-way may be handled again.
    """
    line = lines.find(session, text.line_number)
    if line is None:
        return TextPlan(None, says=(Say.NO_LINE,))
    if not first_time_seen(client, text.message_sid):
        return TextPlan(context(line))
    try:
        return _receive(_Desk(session, live_line(client, line.id), jobs, sealer, line), text, at)
    except BaseException:
        forget_seen(client, text.message_sid)
        raise


def _receive(desk: _Desk, text: IncomingText, at: datetime) -> TextPlan:
    session, line = desk.session, desk.line
    kind = read_keyword(line, text)
    # Twilio's own reply went out already: ours would be a second one, or refused after STOP.
    answered = kind is not None and (line.twilio_opt_out or text.opt_out_type is not None)
    detection = detect(text.body, extra_terms=line.crisis_terms or None)
    script = script_language(detection.language)
    if text.caller_tag is None or text.sealed_number is None:
        # No number to answer later: only this reply can reach them.
        unspoken = unspoken_language(detection, line)
        says = (*_crisis_says(detection), Say.HELP, *((Say.INTERPRETER,) if unspoken else ()))
        return TextPlan(context(line), language=script, says=says, unspoken=unspoken)
    reading = _Reading(
        caller_tag=text.caller_tag,
        sealed_number=text.sealed_number,
        body=text.body,
        pictures=text.pictures,
        at=at,
        detection=detection,
        language=detection.language if detection.language in line.languages else line.languages[0],
        script=script,
        unspoken=unspoken_language(detection, line),
    )
    if kind is Keyword.STOP:
        return _opt_out(desk, reading, answered=answered)
    if kind is Keyword.START and _opt_in(session, line.id, reading.caller_tag):
        return TextPlan(context(line), language=script, says=() if answered else (Say.STARTED,))
    if is_opted_out(session, line.id, reading.caller_tag):
        # They asked for nothing more until START. Only a crisis text is answered, with its
        # referral, where Twilio would deliver it: on its numbers it refuses all (21610).
        says = () if line.twilio_opt_out else reading.crisis
        return TextPlan(context(line), language=script, says=says)
    # A keyword Twilio answered is still a person writing to the line: heard like any text.
    helping = kind is Keyword.HELP and not answered
    contact = _open_conversation(session, desk.live, line, reading.caller_tag)
    if contact is not None:
        return _follow_up(desk, contact, reading, helping=helping)
    if answered_survey := _survey_answer(desk, reading):
        return answered_survey
    if helping:
        return TextPlan(context(line), language=script, says=(Say.HELP,))
    history = caller_history(session, line, reading.caller_tag, at)
    reading = replace(reading, carried=history.carried)
    admission = admit(
        session,
        line,
        desk.live,
        caller_tag=reading.caller_tag,
        at=at,
        crisis_tier=reading.tier,
        blocked=history.blocked,
    )
    if admission.refusal is not None:
        return _turn_away(desk, reading, admission)
    return _open(desk, reading)


def _survey_answer(desk: _Desk, reading: _Reading) -> TextPlan | None:
    """Take a lone digit as the answer to the feedback question of the texter's last
    conversation, while its window is open; anything else is a text like any other."""
    score = feedback.read_text_answer(reading.body)
    if score is None or reading.detection.tier:
        return None
    asked = feedback.take_text_answer(
        desk.session, desk.line, caller_tag=reading.caller_tag, score=score, at=reading.at
    )
    if asked is None:
        return None
    return TextPlan(
        context(desk.line), asked.id, script_language(asked.language), (Say.SURVEY_THANKS,)
    )


def _opt_in(session: Session, line_id: int, caller_tag: str) -> bool:
    """Forget the texter's STOP; return whether there was one."""
    removed = session.execute(
        delete(TextOptOut).where(TextOptOut.line_id == line_id, TextOptOut.caller_tag == caller_tag)
    )
    session.commit()
    return bool(removed.rowcount)


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


def _turn_away(desk: _Desk, reading: _Reading, admission: Admission) -> TextPlan:
    """Answer a texter who can't be queued: a crisis text always gets the referral."""
    line, live, at = desk.line, desk.live, reading.at
    crisis = reading.crisis
    notice, outcome = REFUSALS[admission.refusal]
    if admission.refusal is Refusal.CLOSED:
        seconds = CLOSED_NOTICE_SECONDS
        if admission.reopens_at is not None:
            seconds = min(seconds, int((admission.reopens_at - at).total_seconds()))
        if not live.first_notice(f"closed:{reading.caller_tag}", seconds):
            notice = None
    if not crisis and notice is None:
        return TextPlan(context(line), language=reading.script)
    contact = Contact(
        line_id=line.id,
        channel=Channel.SMS,
        caller_tag=reading.caller_tag,
        arrived_at=at,
        ended_at=at,
        total_seconds=0,
        language=reading.language,
        unspoken_language=reading.unspoken,
        outcome=Outcome.CRISIS_REFERRED if crisis else outcome,
        crisis_tier=reading.tier,
        crisis_referred_at=at if crisis else None,
    )
    desk.session.add(contact)
    desk.session.commit()
    if crisis:
        _alert(live, contact.id, reading)
    says = (*crisis, notice) if notice else crisis
    return TextPlan(
        context(line),
        contact.id,
        reading.script,
        (*says, *_interpreter(reading)),
        reopens_at=admission.reopens_at
        if notice is Say.CLOSED and admission.outside_hours
        else None,
        unspoken=reading.unspoken,
    )


def _interpreter(reading: _Reading) -> tuple[Say, ...]:
    """Return the interpreter reply a text in a language the line does not speak gets."""
    return (Say.INTERPRETER,) if reading.unspoken else ()


def _alert(
    live: LiveLine, contact_id: int, reading: _Reading, pipe: redis.client.Pipeline | None = None
) -> None:
    live.publish("crisis_alert", pipe, contact_id=contact_id, tier=reading.tier, channel="sms")


def _store_text(
    desk: _Desk, contact_id: int, reading: _Reading, pipe: redis.client.Pipeline, **details
) -> None:
    """Queue the texter's number (sealed again) and their sealed text into the conversation."""
    desk.live.keep_conversation(
        contact_id, pipe, to=reading.sealed_number, last_activity=epoch_ms(reading.at), **details
    )
    sealed = seal_message(desk.sealer, TEXTER, reading.body, reading.at, pictures=reading.pictures)
    desk.live.add_inbound(pipe, contact_id, sealed)


def _open(desk: _Desk, reading: _Reading) -> TextPlan:
    """Open a conversation and put it in line, unless a racing text from the texter did."""
    session, live, line, at = desk.session, desk.live, desk.line, reading.at
    crisis = reading.crisis
    contact = Contact(
        line_id=line.id,
        channel=Channel.SMS,
        caller_tag=reading.caller_tag,
        arrived_at=at,
        language=reading.language,
        unspoken_language=reading.unspoken,
        crisis_tier=reading.tier,
        crisis_referred_at=at if crisis else None,
    )
    session.add(contact)
    session.commit()
    owner = live.claim_texter(reading.caller_tag, contact.id)
    if owner != contact.id:
        # The texter's other text opened the conversation a moment ago: join it instead.
        session.delete(contact)
        session.commit()
        return _follow_up(desk, session.get(Contact, owner), reading)
    with live.client.pipeline(transaction=False) as pipe:
        _store_text(
            desk,
            contact.id,
            reading,
            pipe,
            tag=reading.caller_tag,
            reminders=0,
            pictures_told=int(reading.pictures > 0),
        )
        pipe.execute()
    live.enqueue_text(
        contact.id,
        language=reading.language,
        tier=reading.tier,
        arrived_ms=epoch_ms(at),
    )
    live.first_notice(f"waiting:{contact.id}", line.text_reminder_minutes * 60)
    live.publish("contact_waiting", contact_id=contact.id, channel="sms")
    desk.jobs.offer_contacts(line.id)
    if crisis:
        _alert(live, contact.id, reading)
    watch(live, desk.jobs, contact.id, line.text_reminder_minutes * 60)
    # A crisis text, or a texter flagged before, is answered with the crisis reply alone:
    # nothing generic after it.
    says = (
        *(crisis or (Say.WELCOME,)),
        *((Say.NO_PICTURES,) if reading.pictures else ()),
        *_interpreter(reading),
    )
    return TextPlan(context(line), contact.id, reading.script, says, unspoken=reading.unspoken)


def _follow_up(
    desk: _Desk, contact: Contact, reading: _Reading, *, helping: bool = False
) -> TextPlan:
    """Add a text to the texter's open conversation; a crisis sign moves it ahead for good."""
    live, line = desk.live, desk.line
    crisis = reading.crisis
    # The interpreter reply goes once a conversation: the first text in a language not spoken.
    interpreter = _interpreter(reading) if contact.unspoken_language is None else ()
    if interpreter:
        contact.unspoken_language = reading.unspoken
    if crisis:
        contact.crisis_tier = reading.detection.tier
        contact.crisis_referred_at = contact.crisis_referred_at or reading.at
    if crisis or interpreter:
        desk.session.commit()
    owner = contact.specialist_id
    known = live.text_follow_up(contact.id)
    if owner is None and not known.live:
        # Redis lost this conversation: put it back in its old place.
        restore(live, contact)
        known = live.text_follow_up(contact.id)
    told = known.conversation.get("pictures_told") == b"1"
    position = known.position if owner is None and not crisis else None
    # One round trip for everything the text changes.
    with live.client.pipeline(transaction=False) as pipe:
        # The number is sealed again on every text, which also mends a conversation Redis lost.
        _store_text(
            desk,
            contact.id,
            reading,
            pipe,
            tag=contact.caller_tag or "",
            pictures_told=int(told or reading.pictures > 0),
        )
        if crisis:
            live.raise_tier(contact.id, reading.detection.tier, pipe=pipe, known=known)
            _alert(live, contact.id, reading, pipe)
        live.publish("text_received", pipe, contact_id=contact.id, specialist_id=owner or 0)
        if position:
            live.queue_first_notice(pipe, f"waiting:{contact.id}", line.text_reminder_minutes * 60)
        # Asked after the number is sealed: a reply that found it missing meanwhile is counted.
        live.readdress(pipe, contact.id)
        *done, waited = pipe.execute()
    remind = bool(position and done[-1])
    if waited:
        # Replies written while Redis had lost the number go now that it is back.
        for index, attempt in live.unsent_attempts(contact.id).items():
            desk.jobs.send_text_reply(contact.id, index, attempt=attempt)
    says = list(crisis)
    if helping:
        says.append(Say.HELP)
    if reading.pictures and not told:
        says.append(Say.NO_PICTURES)
    says += interpreter
    if remind:
        says.append(Say.POSITION)
    return TextPlan(
        context(line),
        contact.id,
        script_language(reading.detection.language or contact.language),
        tuple(says),
        position=position,
        unspoken=reading.unspoken,
    )


def _opt_out(desk: _Desk, reading: _Reading, *, answered: bool) -> TextPlan:
    """STOP: close the open conversation, send nothing more until START.

    The closing reply is ours only when Twilio did not answer: after its own, Twilio refuses
    anything sent to the texter.
    """
    session, line, caller_tag = desk.session, desk.line, reading.caller_tag
    record_opt_out(session, line.id, caller_tag, reading.at)
    contact = _open_conversation(session, desk.live, line, caller_tag)
    flagged = False
    if contact is not None:
        flagged = contact.crisis_tier > 0
        close_conversation(
            session,
            desk.live.client,
            desk.jobs,
            contact_id=contact.id,
            reason=CloseReason.OPTED_OUT,
            at=reading.at,
        )
    say = Say.STOPPED_FLAGGED if flagged else Say.STOPPED
    language = script_language(contact.language) if contact is not None else reading.script
    says = () if answered else (say,)
    return TextPlan(context(line), contact.id if contact else None, language, says)


def record_opt_out(session: Session, line_id: int, caller_tag: str, at: datetime) -> None:
    """Note that the texter opted out: nothing is sent to them until they opt back in."""
    if not is_opted_out(session, line_id, caller_tag):
        session.add(TextOptOut(line_id=line_id, caller_tag=caller_tag, opted_out_at=at))
        session.commit()


def restore(live: LiveLine, contact: Contact) -> None:
    """Put a waiting text back in its old place after Redis lost it."""
    live.enqueue_text(
        contact.id,
        language=contact.language,
        tier=contact.crisis_tier,
        arrived_ms=epoch_ms(contact.arrived_at),
    )
