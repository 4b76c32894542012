"""Calls: a caller's way from the line's number to a peer specialist, or to help.

Each function is one decision a webhook, a job or the dashboard needs. They take a session,
the live state and plain values, commit what they decide, and hand slow work (anything
that talks to Twilio) to the workers through `Jobs`.
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import redis
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warmline import audit, on_shift, wellbeing
from warmline.admission import Refusal, admit, caller_history
from warmline.crisis import detect
from warmline.jobs import Jobs
from warmline.lines import LineCache, LineContext, context, next_opening, open_until
from warmline.live import LiveLine, Resolution, now_ms
from warmline.models import Channel, Contact, Line, Outcome, PracticeCall, User, utcnow

log = logging.getLogger(__name__)
TERMINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
# How often a waiting caller hears their place in line.
ANNOUNCE_EVERY_MS = 120_000
CRISIS_KEY = "9"
# A caller's welcome on hold: to be said on their next turn, then said on the last one.
GREET_PENDING = "pending"
GREET_SAID = "said"
# The live note that the caller's specialist is on their phone, ready to talk.
SPECIALIST_ON_PHONE = "specialist_on_phone"


class Step(enum.Enum):
    """What the caller hears next."""

    NO_LINE = "no_line"
    BLOCKED = "blocked"
    LIMITED = "limited"
    AFTER_HOURS = "after_hours"
    GREET = "greet"
    QUEUE = "queue"
    CRISIS = "crisis"
    OVERFLOW_MENU = "overflow_menu"
    CONNECTING = "connecting"
    ONWARD = "onward"
    CALLBACK = "callback"
    NOTHING = "nothing"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class CallPlan:
    step: Step
    line: LineContext | None
    contact_id: int | None = None
    language: str = "en"
    reopens_at: datetime | None = None
    # A practice call: the crisis line is named, never dialled (warmline.practice).
    practice: bool = False


@dataclass(frozen=True)
class Greeting:
    """The welcome a caller hears as their first turn on hold, and the languages offered."""

    line_name: str
    languages: tuple[str, ...]
    # Whether the welcome says that a supervisor may listen.
    monitored: bool = False


@dataclass(frozen=True)
class WaitPlan:
    leave: bool
    language: str = "en"
    greeting: Greeting | None = None
    first_turn: bool = False
    position: int | None = None
    average_wait_seconds: int | None = None
    announce: bool = False
    hold_music_url: str | None = None
    voices: Mapping[str, str] = field(default_factory=dict)
    # The key that asks for a call back, when the line offers this caller one now.
    callback_key: str | None = None


def conference_name(contact_id: int) -> str:
    return f"warmline-contact-{contact_id}"


def live_line(client: redis.Redis, line_id: int) -> LiveLine:
    return LiveLine(client, line_id)


def _seconds(start: datetime | None, end: datetime) -> int | None:
    return None if start is None else max(0, round((end - start).total_seconds()))


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def hears_crisis(digits: str, speech: str, line_terms: dict[str, list[str]] | None = None) -> int:
    """Return the crisis tier of what a caller pressed or said (9 counts as tier 2)."""
    if digits == CRISIS_KEY:
        return 2
    if not speech.strip():
        return 0
    return detect(speech, extra_terms=line_terms or None).tier


def heard_from_contact(session: Session, contact_id: int, digits: str, speech: str) -> int:
    """Return the crisis tier of what a contact's caller pressed or said, by their line's own
    crisis words too."""
    contact = session.get(Contact, contact_id)
    line = session.get(Line, contact.line_id) if contact is not None else None
    return hears_crisis(digits, speech, line.crisis_terms if line is not None else None)


# Arrival.

_FIRST_STEPS = {
    Refusal.BLOCKED: Step.BLOCKED,
    Refusal.LIMITED: Step.LIMITED,
    Refusal.CLOSED: Step.AFTER_HOURS,
}
_OUTCOMES = {
    Step.BLOCKED: Outcome.BLOCKED,
    Step.LIMITED: Outcome.LIMITED,
    Step.AFTER_HOURS: Outcome.AFTER_HOURS,
    Step.ONWARD: Outcome.OVERFLOW,
}


def arrive(
    session: Session,
    client: redis.Redis,
    jobs: Jobs,
    *,
    lines: LineCache,
    call_sid: str,
    line_number: str,
    caller_tag: str | None,
    at: datetime,
) -> CallPlan:
    """Decide what a new caller hears; a retried webhook gets the same answer."""
    line = lines.find(session, line_number)
    if line is None:
        return CallPlan(Step.NO_LINE, None)
    live = live_line(client, line.id)
    reopens_at = None
    history = caller_history(session, line, caller_tag, at)
    waiting = practice_waiting(session, line.id, caller_tag, at) if history.practice else []
    practice = waiting[0] if waiting else None
    if practice:
        # A trainer's practice call: never blocked, limited or closed, never carrying a real
        # contact's flag, and kept apart from the trainer's phone (no caller tag).
        caller_tag, tier, step = None, 0, _admitted_step(line)
    else:
        tier = history.carried.tier if history.carried else 0
        try:
            admission = admit(
                session,
                line,
                live,
                caller_tag=caller_tag,
                at=at,
                crisis_tier=tier,
                blocked=history.blocked,
            )
            step = _FIRST_STEPS.get(admission.refusal) or _admitted_step(line)
            reopens_at = admission.reopens_at
        except redis.RedisError:
            log.warning("Redis is unreachable: a caller to line %s is sent onward", line.id)
            step = Step.ONWARD
    outcome = _OUTCOMES.get(step, Outcome.OPEN)
    contact = Contact(
        line_id=line.id,
        channel=Channel.VOICE,
        caller_tag=caller_tag,
        call_sid=call_sid,
        arrived_at=at,
        language=line.languages[0],
        outcome=outcome,
        crisis_tier=tier,
    )
    session.add(contact)
    if practice:
        begin_practice(practice, contact)
    try:
        session.commit()
    except IntegrityError:
        # Twilio retried this call's webhook (the CallSid is unique): answer as before.
        session.rollback()
        existing = session.scalar(select(Contact).where(Contact.call_sid == call_sid))
        return _resume(session, client, jobs, line, existing)
    if step in {Step.GREET, Step.QUEUE}:
        try:
            _join_queue(live, jobs, line, contact, greeted=step is Step.GREET, chosen=False)
        except redis.RedisError:
            log.warning("Redis is unreachable: a caller to line %s is sent onward", line.id)
            contact.outcome = Outcome.OVERFLOW
            session.commit()
            step = Step.ONWARD
    return CallPlan(
        step,
        context(line),
        contact.id,
        contact.language,
        reopens_at=reopens_at,
    )


def _admitted_step(line: Line) -> Step:
    """Greet before the queue only where the greeting listens for words: in Twilio's queue a
    <Gather> takes keys alone. Everyone else is in line at once and welcomed on hold."""
    return Step.GREET if line.speech_enabled else Step.QUEUE


def _resume(
    session: Session, client: redis.Redis, jobs: Jobs, line: Line, contact: Contact
) -> CallPlan:
    by_outcome = {outcome: step for step, outcome in _OUTCOMES.items()}
    if contact.outcome in by_outcome:
        step = by_outcome[contact.outcome]
        reopens = next_opening(line, utcnow()) if step is Step.AFTER_HOURS else None
        return CallPlan(step, context(line), contact.id, contact.language, reopens)
    # The first answer never reached the caller: they start again from the greeting.
    step = _admitted_step(line)
    live = live_line(client, line.id)
    _join_queue(live, jobs, line, contact, greeted=step is Step.GREET, chosen=False)
    return CallPlan(step, context(line), contact.id, contact.language)


# Practice calls (see warmline.practice): which call is one, and who may answer it.


def practice_waiting(
    session: Session, line_id: int, caller_tag: str | None, at: datetime
) -> list[PracticeCall]:
    """Return the practice calls set up for a call from this caller tag now, newest first."""
    if caller_tag is None:
        return []
    return list(
        session.scalars(
            select(PracticeCall)
            .where(
                PracticeCall.line_id == line_id,
                PracticeCall.caller_tag == caller_tag,
                PracticeCall.contact_id.is_(None),
                PracticeCall.expires_at > at,
            )
            .order_by(PracticeCall.opened_at.desc(), PracticeCall.id.desc())
        )
    )


def begin_practice(practice: PracticeCall, contact: Contact) -> None:
    """Make the arriving contact the practice call; the phone's tag is no longer needed."""
    contact.practice = True
    practice.contact = contact
    practice.caller_tag = None


def trainee_of(contact: Contact) -> int | None:
    """Return the trainee a practice contact is for; None for a real one."""
    if not contact.practice or contact.practice_call is None:
        return None
    return contact.practice_call.trainee_id


def may_take(contact: Contact, user: User) -> bool:
    """Whether someone may answer a contact: a trainee their own practice calls only, anyone
    else real contacts only."""
    if contact.practice:
        return user.in_training and trainee_of(contact) == user.id
    return not user.in_training


def requeue(live: LiveLine, line: Line, contact: Contact) -> None:
    """Put a call back in its old place after Redis lost it."""
    _remember(live, line, contact)


def _join_queue(
    live: LiveLine,
    jobs: Jobs,
    line: Line,
    contact: Contact,
    *,
    greeted: bool = True,
    chosen: bool = True,
) -> None:
    """Put a caller in line (one already there keeps their place) and offer them.

    `greeted`: the caller heard the welcome before the queue; else it is their first turn on
    hold. `chosen`: their language is settled; until then, on a line of several languages,
    only someone who speaks all of them is offered the call.
    """
    # One round trip for the waiting line, the dashboards' event and the note that offers
    # are wanted.
    with live.client.pipeline(transaction=False) as pipe:
        _remember(live, line, contact, pipe, greeted=greeted, chosen=chosen)
        live.publish("contact_waiting", pipe, contact_id=contact.id)
        live.queue_want_offers(pipe)
        *_, wanted = pipe.execute()
    jobs.offer_contacts(line.id, wanted=bool(wanted))


def _remember(
    live: LiveLine,
    line: Line,
    contact: Contact,
    pipe: redis.client.Pipeline | None = None,
    *,
    greeted: bool = True,
    chosen: bool = True,
) -> None:
    others = [code for code in line.languages if code != contact.language]
    closes = open_until(line, utcnow())
    live.enqueue(
        contact.id,
        language=contact.language,
        tier=contact.crisis_tier,
        arrived_ms=_ms(contact.arrived_at),
        pipe=pipe,
        call_sid=contact.call_sid or "",
        max_wait=line.max_wait_seconds,
        hold=line.hold_music_url or "",
        voices=json.dumps(line.voices),
        needs="" if chosen else ",".join(others),
        greet="" if greeted else GREET_PENDING,
        name=line.name,
        languages=",".join(line.languages),
        monitored=int(line.monitoring_enabled),
        # A call back needs a number to call and a line that offers it; a closing time to stop.
        callback=int(line.callbacks_enabled and contact.caller_tag is not None),
        callbacks_cap=line.max_pending_callbacks,
        closes=_ms(closes) if closes else 0,
        # Offered to this trainee alone (claim.lua); nobody in training is offered a real one.
        **({"practice_for": trainee_of(contact) or 0} if contact.practice else {}),
    )


def open_call(session: Session, contact_id: int) -> tuple[Contact, Line] | None:
    """Return a call still going on, with its line; None for a text or an ended call."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.ended_at is not None or contact.channel is not Channel.VOICE:
        return None
    return contact, session.get(Line, contact.line_id)


def answer_menu(
    session: Session,
    client: redis.Redis,
    jobs: Jobs,
    *,
    contact_id: int,
    digits: str,
    speech: str,
    at: datetime,
    picks_language: bool,
) -> CallPlan:
    """Take a menu's answer: 9 or crisis words reach the crisis line; anything else, or
    silence, puts the caller in line (in the language they picked at the greeting)."""
    found = open_call(session, contact_id)
    if found is None:
        return CallPlan(Step.UNKNOWN, None)
    contact, line = found
    tier = hears_crisis(digits, speech, line.crisis_terms)
    if tier:
        return refer_to_crisis(session, client, jobs, contact_id=contact_id, tier=tier, at=at)
    if picks_language:
        choice = int(digits) - 1 if digits.isdigit() else 0
        if not 0 <= choice < len(line.languages):
            choice = 0
        contact.language = line.languages[choice]
        session.commit()
    _join_queue(live_line(client, line.id), jobs, line, contact)
    return CallPlan(Step.QUEUE, context(line), contact.id, contact.language)


# Waiting.


def wait(
    client: redis.Redis,
    jobs: Jobs,
    *,
    line_id: int,
    contact_id: int,
    queue_seconds: int,
    average_wait_seconds: int,
    twilio_position: int | None,
) -> WaitPlan:
    """Plan one turn of the hold loop from live state alone (the database may be down).

    A caller put in line at once hears the welcome as their first turn; the turn after it
    settles their language (silence keeps the first) and tells them their place.
    """
    live = live_line(client, line_id)
    details = live.details(contact_id)
    max_wait = int(details.get("max_wait") or 600)
    if queue_seconds >= max_wait:
        live.note(contact_id, exit="max_wait")
        return WaitPlan(leave=True)
    language = details.get("language") or "en"
    voices = json.loads(details.get("voices") or "{}")
    greet = details.get("greet", "")
    if greet == GREET_PENDING:
        live.note(contact_id, greet=GREET_SAID)
        languages = tuple(filter(None, details.get("languages", "").split(","))) or (language,)
        greeting = Greeting(
            details.get("name", ""), languages, monitored=details.get("monitored") == "1"
        )
        return WaitPlan(leave=False, language=language, greeting=greeting, voices=voices)
    if greet == GREET_SAID:
        _settle_language(live, jobs, contact_id, still_open=bool(details.get("needs")))
    last = int(details.get("announced") or 0)
    announce = now_ms() - last >= ANNOUNCE_EVERY_MS
    if announce:
        live.note(contact_id, announced=now_ms())
    return WaitPlan(
        callback_key=_callback_offered(live, details) if announce else None,
        leave=False,
        language=language,
        first_turn=last == 0,
        position=live.position(contact_id) or twilio_position,
        average_wait_seconds=average_wait_seconds or None,
        announce=announce,
        hold_music_url=details.get("hold") or None,
        voices=voices,
    )


def callback_key(languages: list[str] | tuple[str, ...]) -> str:
    """Return the key that asks for a call back: the first after the line's languages' keys.

    A language's number still switches to it on hold; a line of one language uses 2.
    """
    return str(len(languages) + 1)


def _callback_offered(live: LiveLine, details: Mapping[str, str]) -> str | None:
    """Return the call-back key to offer a holding caller, from live state alone, or None.

    None when the line does not offer it, the caller shows crisis signs, the line has closed
    or its pending callbacks are full.
    """
    if details.get("callback") != "1" or int(details.get("tier") or 0):
        return None
    closes = int(details.get("closes") or 0)
    if closes and now_ms() >= closes:
        return None
    if live.pending_callbacks() >= int(details.get("callbacks_cap") or 0):
        return None
    languages = [code for code in details.get("languages", "").split(",") if code]
    return callback_key(languages or [details.get("language", "en")])


def _settle_language(live: LiveLine, jobs: Jobs, contact_id: int, *, still_open: bool) -> None:
    """The welcome is over: a caller who could still choose a language kept the one they
    were welcomed in, and anyone who speaks it may now answer."""
    live.note(contact_id, greet="", needs="")
    if still_open:
        jobs.offer_contacts(live.line_id)


def pressed_while_waiting(
    session: Session,
    client: redis.Redis,
    *,
    line_id: int,
    contact_id: int,
    digits: str,
    speech: str,
) -> bool:
    """Return whether the caller asked for (or showed a need for) the crisis line."""
    line = session.get(Line, line_id)
    tier = hears_crisis(digits, speech, line.crisis_terms if line else None)
    if not tier:
        return False
    live = live_line(client, line_id)
    live.raise_tier(contact_id, tier)
    live.note(contact_id, exit="crisis", tier=tier)
    return True


def choose_language_on_hold(
    session: Session, client: redis.Redis, jobs: Jobs, *, line_id: int, contact_id: int, digits: str
) -> bool:
    """Take a key pressed on hold as a choice of one of the line's languages.

    Holding on goes on in that language from the next turn, which tells the caller their
    place again; the call may now go to anyone who speaks it. Return whether it was one.
    """
    live = live_line(client, line_id)
    languages = [code for code in (live.recall(contact_id, "languages") or "").split(",") if code]
    choice = int(digits) - 1 if digits.isdigit() else -1
    if len(languages) < 2 or not 0 <= choice < len(languages):
        return False
    language = languages[choice]
    live.note(contact_id, language=language, needs="", greet="", announced=0)
    jobs.offer_contacts(line_id)
    contact = session.get(Contact, contact_id)
    if contact is not None and contact.line_id == line_id:
        contact.language = language
        session.commit()
    return True


def left_queue(
    session: Session,
    client: redis.Redis,
    jobs: Jobs,
    *,
    contact_id: int,
    result: str,
    at: datetime,
) -> CallPlan:
    """Decide what follows the waiting line, from Twilio's QueueResult and why we left."""
    if result in {"hangup", "bridged", "redirected"}:
        return CallPlan(Step.NOTHING, None)
    found = open_call(session, contact_id)
    if found is None:
        return CallPlan(Step.UNKNOWN, None)
    contact, line = found
    live = live_line(client, line.id)
    reason = live.recall(contact_id, "exit") if result == "leave" else None
    live.note(contact_id, exit="")
    if reason == "crisis":
        tier = int(live.recall(contact_id, "tier") or 2)
        return refer_to_crisis(session, client, jobs, contact_id=contact_id, tier=tier, at=at)
    if reason == "max_wait":
        return CallPlan(Step.OVERFLOW_MENU, context(line), contact.id, contact.language)
    if reason == "callback":
        return CallPlan(Step.CALLBACK, context(line), contact.id, contact.language)
    # Twilio could not keep the caller in its queue (full, or an error): send them on.
    contact.outcome = Outcome.OVERFLOW
    session.commit()
    _leave_line(live, jobs, contact.id)
    return CallPlan(Step.ONWARD, context(line), contact.id, contact.language)


def refer_to_crisis(
    session: Session,
    client: redis.Redis,
    jobs: Jobs,
    *,
    contact_id: int,
    tier: int,
    at: datetime,
) -> CallPlan:
    """Send a caller to the crisis line: record the referral, free their place in line."""
    found = open_call(session, contact_id)
    if found is None:
        return CallPlan(Step.UNKNOWN, None)
    contact, line = found
    contact.crisis_tier = tier
    contact.crisis_referred_at = contact.crisis_referred_at or at
    if contact.outcome is Outcome.OPEN:
        contact.outcome = Outcome.CRISIS_REFERRED
    session.commit()
    live = live_line(client, line.id)
    _leave_line(live, jobs, contact.id)
    # A specialist who already accepted them waits for a caller who is not coming.
    release_accepted(session, live, jobs, contact.id, why=Gone.CRISIS)
    live.publish("crisis_referral", contact_id=contact.id)
    return CallPlan(
        Step.CRISIS, context(line), contact.id, contact.language, practice=contact.practice
    )


def _leave_line(live: LiveLine, jobs: Jobs, contact_id: int) -> Resolution:
    return _settle_left(jobs, live, live.remove(contact_id))


def _settle_left(jobs: Jobs, live: LiveLine, resolution: Resolution) -> Resolution:
    """Stop the phones still ringing for a contact that left the line; offer them again."""
    hang_up_legs(jobs, resolution, resolution.cancel_specialist_ids)
    if resolution.cancel_specialist_ids:
        jobs.offer_contacts(live.line_id)
    return resolution


def hang_up_legs(jobs: Jobs, resolution: Resolution, specialist_ids) -> None:
    """Stop the named specialists' phones ringing for an offer that was resolved."""
    legs = resolution.legs or {}
    jobs.hang_up([legs[s] for s in specialist_ids if s in legs])


# Conversations.


def contact_line(session: Session, contact_id: int) -> Contact | None:
    return session.get(Contact, contact_id)


def start_wrap_up(
    session: Session, live: LiveLine, jobs: Jobs, specialist_id: int, contact_id: int
) -> None:
    """Give a specialist the line's wrap-up time after a conversation, then offers again.

    A hard contact adds a recovery break (`wellbeing`); one who signed out during it goes
    off shift instead.
    """
    if live.specialist(specialist_id).get("contact") != str(contact_id):
        return
    specialist = session.get(User, specialist_id)
    line = session.get(Line, live.line_id)
    if specialist is None or line is None:
        return
    if live.signing_off(specialist_id):
        # They signed out during this call: it was their last contact of the shift.
        on_shift.ended(session, line_id=live.line_id, specialist_id=specialist_id)
        live.go_offline(specialist_id)
        live.publish("specialist_offline", specialist_id=specialist_id)
        return
    after = wellbeing.after_contact(live, line, specialist_id, session.get(Contact, contact_id))
    live.go_available(
        specialist_id,
        specialist.languages,
        ready_ms=after.ready_ms,
        status=after.status,
        recovery_from_ms=after.recovery_from_ms,
        training=specialist.in_training,
    )
    wellbeing.settle(live, specialist_id, after, given=True)
    live.publish("wrap_up", specialist_id=specialist_id, contact_id=contact_id)
    jobs.offer_contacts(line.id, after_seconds=after.seconds)


def caller_connected(
    session: Session, client: redis.Redis, *, contact_id: int, at: datetime
) -> CallPlan:
    """The caller is joining their conference: record the wait and who answered.

    Only once the specialist is on their phone (`specialist_on_phone`); until then the plan
    is Step.CONNECTING, and nothing is recorded.
    """
    found = open_call(session, contact_id)
    if found is None:
        return CallPlan(Step.UNKNOWN, None)
    contact, line = found
    live = live_line(client, line.id)
    if not live.recall(contact_id, SPECIALIST_ON_PHONE):
        return CallPlan(Step.CONNECTING, context(line), contact.id, contact.language)
    live.reached_conference(contact_id)
    if contact.connected_at is None:
        contact.connected_at = at
        contact.wait_seconds = _seconds(contact.arrived_at, at)
        contact.specialist_id = live.offer_winner(contact_id) or contact.specialist_id
        session.commit()
        # A call back is made once the caller is through: their number is no longer needed.
        live.forget_callback(contact_id)
        live.publish("contact_connected", contact_id=contact_id)
    return CallPlan(Step.QUEUE, context(line), contact.id, contact.language)


def specialist_on_phone(live: LiveLine, contact_id: int) -> None:
    """Note that the caller's specialist is on their phone: the caller may hear "connected"."""
    live.note(contact_id, **{SPECIALIST_ON_PHONE: 1})


def specialist_picked_up(
    session: Session,
    client: redis.Redis,
    jobs: Jobs,
    *,
    contact_id: int,
    specialist_id: int,
    call_sid: str,
    status: str,
) -> bool:
    """The phone of the specialist who took this caller was answered: connect the caller now.

    Only the leg that rings the winner into the conference counts (accepted on screen); the
    leg an offer rings is answered before anyone has won, and its key press says the rest.
    Twilio's "answered" event reports CallStatus in-progress.
    """
    if status != "in-progress":
        return False
    contact = session.get(Contact, contact_id)
    if contact is None or contact.ended_at is not None:
        return False
    live = live_line(client, contact.line_id)
    if live.offer_winner(contact_id) != specialist_id:
        return False
    if live.offer_legs(contact_id).get(specialist_id, call_sid) != call_sid:
        return False
    specialist_on_phone(live, contact_id)
    jobs.connect_caller(contact_id)
    return True


# Endings.


def call_status(
    session: Session,
    client: redis.Redis,
    jobs: Jobs,
    *,
    call_sid: str,
    status: str,
    at: datetime,
) -> bool:
    """Close the contact when the caller's call ends; True if this callback changed anything.

    Twilio may send a callback twice or out of order: only an ending status closes, and a
    contact closes once (the CallSid is cleared as it does). The database is written first,
    so a call that ends while Redis is down is still closed; the clock's repair takes it
    out of the waiting line when Redis is back.
    """
    contact = session.scalar(select(Contact).where(Contact.call_sid == call_sid))
    if contact is None or status not in TERMINAL_STATUSES:
        return False
    if awaits_callback(contact):
        return _callback_call_ended(session, client, jobs, contact, call_sid=call_sid, at=at)
    total = _seconds(contact.arrived_at, at)
    if contact.connected_at is not None:
        wait = contact.wait_seconds
    else:
        wait = total if contact.outcome is Outcome.OPEN else None
    outcome = contact.outcome
    if outcome is Outcome.OPEN:
        if contact.connected_at is not None:
            outcome = Outcome.ANSWERED
        elif status in {"completed", "canceled"}:
            outcome = Outcome.ABANDONED
        else:
            outcome = Outcome.FAILED
    closed = session.execute(
        update(Contact)
        .where(Contact.id == contact.id, Contact.ended_at.is_(None))
        .values(
            ended_at=at,
            total_seconds=total,
            # The talk ended where the feedback question began, if the caller was asked one.
            talk_seconds=_seconds(contact.connected_at, contact.survey_asked_at or at),
            wait_seconds=wait,
            outcome=outcome,
            call_sid=None,
        )
    ).rowcount
    session.commit()
    if not closed:
        return False
    try:
        live = live_line(client, contact.line_id)
        ending = live.ending(contact.id)
        # Nobody may be left in an empty conference: a supervisor, or the specialist of a
        # caller who hung up as they were put through, before they were in it to end it.
        legs = [ending.supervisor_leg]
        if ending.winner is not None and contact.connected_at is None:
            release_accepted(session, live, jobs, contact.id, why=Gone.HUNG_UP)
        elif ending.winner is not None:
            start_wrap_up(session, live, jobs, ending.winner, contact.id)
            legs.append(ending.legs.get(ending.winner))
        jobs.hang_up([leg for leg in legs if leg])
        _settle_left(jobs, live, live.close(contact.id, ending))
    except redis.RedisError:
        log.warning(
            "contact %s closed while Redis was unreachable; the repair will tidy up", contact.id
        )
    return True


# Callbacks: the caller's call is over, their place in line is not.

# The calls back a caller gets: the first when their turn comes, one more after the line's wait.
CALLBACK_TRIES = 2


def awaits_callback(contact: Contact) -> bool:
    """Whether a contact is a caller who asked to be called back and has not yet been reached."""
    return (
        contact.callback_requested_at is not None
        and contact.connected_at is None
        and contact.ended_at is None
        and contact.outcome is Outcome.OPEN
    )


def _callback_call_ended(
    session: Session,
    client: redis.Redis,
    jobs: Jobs,
    contact: Contact,
    *,
    call_sid: str,
    at: datetime,
) -> bool:
    """End one call of a caller waiting for a call back: their own (they hung up after asking,
    as they were told they could, and keep their place), or a call back nobody answered.

    Each ending counts once.
    """
    cleared = session.execute(
        update(Contact)
        .where(Contact.id == contact.id, Contact.call_sid == call_sid)
        .values(call_sid=None)
    ).rowcount
    session.commit()
    if not cleared:
        return False
    live = live_line(client, contact.line_id)
    if not live.end_callback_attempt(contact.id, call_sid):
        live.note(contact.id, call_sid="")
        if live.offer_winner(contact.id) is not None:
            # A specialist accepted them while they heard the promise: call them back now.
            jobs.connect_caller(contact.id)
        return True
    callback_unreached(session, live, jobs, contact, at=at)
    return True


def callback_unreached(
    session: Session, live: LiveLine, jobs: Jobs, contact: Contact, *, at: datetime
) -> None:
    """Free and tell the specialist after an unanswered call back; try once more later, or give up.

    The one more try comes after the line's wait; giving up deletes the number and closes the
    contact as not reached.
    """
    line = session.get(Line, contact.line_id)
    release_accepted(session, live, jobs, contact.id, why=Gone.UNREACHED)
    live.note(contact.id, call_sid="", **{SPECIALIST_ON_PHONE: ""})
    if contact.callback_attempts >= CALLBACK_TRIES:
        session.execute(
            update(Contact)
            .where(Contact.id == contact.id, Contact.ended_at.is_(None))
            .values(
                ended_at=at,
                total_seconds=_seconds(contact.arrived_at, at),
                outcome=Outcome.CALLBACK_NOT_REACHED,
                call_sid=None,
            )
        )
        session.commit()
        _leave_line(live, jobs, contact.id)
        live.publish("contact_closed", contact_id=contact.id)
    else:
        jobs.retry_callback(contact.id, after_seconds=line.callback_retry_seconds)


class Gone(enum.Enum):
    """Why the caller a specialist accepted will not be put through to them."""

    HUNG_UP = "hung_up"
    CRISIS = "crisis"
    UNREACHED = "unreached"


def release_accepted(
    session: Session, live: LiveLine, jobs: Jobs, contact_id: int, *, why: Gone
) -> None:
    """Free the specialist who accepted a caller gone before they were put through; tell them.

    Their phone, waiting in the conference or still ringing into it, is told why and ends;
    nobody talked, so there is nothing to wrap up.
    """
    specialist_id = live.offer_winner(contact_id)
    if specialist_id is None:
        return
    leg = live.offer_legs(contact_id).get(specialist_id)
    live.finish_offer(contact_id)
    live.reached_conference(contact_id)
    _free_specialist(session, live, jobs, specialist_id, contact_id)
    if leg:
        jobs.tell_specialist(contact_id, leg, why.value)


def _free_specialist(
    session: Session, live: LiveLine, jobs: Jobs, specialist_id: int, contact_id: int
) -> None:
    """Make a specialist free again at once (or off shift, if they signed out meanwhile)."""
    if live.specialist(specialist_id).get("contact") != str(contact_id):
        return
    specialist = session.get(User, specialist_id)
    if specialist is None or live.signing_off(specialist_id):
        on_shift.ended(session, line_id=live.line_id, specialist_id=specialist_id)
        live.go_offline(specialist_id)
        live.publish("specialist_offline", specialist_id=specialist_id)
        return
    live.go_available(
        specialist_id,
        specialist.languages,
        ready_ms=now_ms(),
        training=specialist.in_training,
    )
    live.publish("specialist_available", specialist_id=specialist_id)
    jobs.offer_contacts(live.line_id)


# The dashboard.


# A warm handoff's counselor leg, as the live line notes it ("crisis_leg"): dialing, ringing,
# answered (by a person or by the crisis line's menu: nobody can tell), joined (the specialist
# heard a person and said so), unreached (busy, no answer, failed) or left (hung up).
HANDOFF_WAITING = frozenset({"dialing", "ringing", "answered"})
_COUNSELOR_LEG = {
    "queued": "dialing",
    "initiated": "dialing",
    "ringing": "ringing",
    "in-progress": "answered",
    "busy": "unreached",
    "no-answer": "unreached",
    "failed": "unreached",
    "canceled": "unreached",
    "completed": "left",
}
# Twilio may report progress late or twice: a leg never goes back to an earlier state.
_LEG_ORDER = ("", "dialing", "ringing", "answered", "joined")
# How long the note that a caller was taken back keeps a second redirect away.
TAKEN_BACK_SECONDS = 4 * 60 * 60


def transfer_to_crisis(
    session: Session, client: redis.Redis, jobs: Jobs, *, contact_id: int, at: datetime
) -> bool:
    """Warm handoff: dial the crisis line into the conversation; the specialist stays on."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.ended_at is not None or contact.connected_at is None:
        return False
    live = live_line(client, contact.line_id)
    if live.recall(contact_id, "crisis_leg") in HANDOFF_WAITING | {"joined"}:
        # A counselor is already on the way or on the call: never dial the crisis line twice.
        return True
    contact.crisis_referred_at = contact.crisis_referred_at or at
    session.commit()
    live.note(contact_id, crisis_leg="dialing")
    live.publish("crisis_transfer", contact_id=contact_id, state="dialing")
    jobs.add_crisis_counselor(contact_id)
    return True


def crisis_leg_status(
    client: redis.Redis, jobs: Jobs, *, line_id: int, contact_id: int, status: str
) -> str:
    """Follow the crisis counselor's leg; an answer is only a menu or a voice, not yet a person.

    When the leg ends after the specialist has left, the caller would be alone in the
    conference: they are taken back (see `take_caller_back`).
    """
    state = _COUNSELOR_LEG.get(status)
    if state is None:
        return ""
    live = live_line(client, line_id)
    before = live.recall(contact_id, "crisis_leg") or ""
    if _is_step_back(before, state):
        return before
    live.note(contact_id, crisis_leg=state)
    live.publish("crisis_transfer", contact_id=contact_id, state=state)
    if state in {"unreached", "left"} and live.recall(contact_id, "specialist_left"):
        take_caller_back(live, jobs, contact_id)
    return state


def _is_step_back(before: str, state: str) -> bool:
    if before in {"unreached", "left"}:
        return True
    return (
        state in _LEG_ORDER
        and before in _LEG_ORDER
        and (_LEG_ORDER.index(state) <= _LEG_ORDER.index(before))
    )


def confirm_counselor(
    session: Session, client: redis.Redis, *, contact_id: int, specialist_id: int
) -> bool:
    """The specialist heard a person on the crisis line: the counselor has joined (audited).

    Only an answered leg can have a person on it; anything else is refused (False).
    """
    contact = session.get(Contact, contact_id)
    if contact is None or contact.ended_at is not None:
        return False
    live = live_line(client, contact.line_id)
    if live.recall(contact_id, "crisis_leg") != "answered":
        return False
    live.note(contact_id, crisis_leg="joined")
    audit.record(
        session,
        "handoff.counselor_joined",
        "contact",
        contact_id,
        actor_id=specialist_id,
        via="dashboard",
    )
    session.commit()
    live.publish("crisis_transfer", contact_id=contact_id, state="joined")
    return True


def may_leave_call(client: redis.Redis, *, line_id: int, contact_id: int) -> bool:
    """Whether the specialist may leave: not while a counselor is on the way but not yet there."""
    return live_line(client, line_id).recall(contact_id, "crisis_leg") not in HANDOFF_WAITING


def specialist_left(live: LiveLine, jobs: Jobs, contact_id: int) -> None:
    """The caller's specialist left: stay with a counselor who joined, else take them back."""
    live.note(contact_id, specialist_left=1)
    if live.recall(contact_id, "crisis_leg") != "joined":
        take_caller_back(live, jobs, contact_id)


def take_caller_back(live: LiveLine, jobs: Jobs, contact_id: int) -> None:
    """Redirect a caller nobody is with out of the conference (once): see `after_specialist`."""
    if live.first_notice(f"taken-back:{contact_id}", TAKEN_BACK_SECONDS):
        jobs.say_goodbye(contact_id)


def after_specialist(session: Session, client: redis.Redis, *, contact_id: int) -> CallPlan:
    """What a caller hears when nobody is left with them in the conference.

    After an ordinary conversation: a goodbye (Step.NOTHING here). After a warm handoff
    was asked for (the specialist judged this a crisis) and the counselor is not with them:
    the crisis line, as a caller who presses 9 reaches it, never silence or a bare goodbye.
    """
    found = open_call(session, contact_id)
    if found is None:
        return CallPlan(Step.UNKNOWN, None)
    contact, line = found
    if not live_line(client, line.id).recall(contact_id, "crisis_leg"):
        return CallPlan(Step.NOTHING, context(line), contact.id, contact.language)
    return CallPlan(
        Step.CRISIS, context(line), contact.id, contact.language, practice=contact.practice
    )
