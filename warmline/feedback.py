"""Feedback: a question or two after a conversation, answered with a number, and the report.

After a call, a caller whose specialist hung up hears "how helpful was this call, 1 to 5"
(and, if the line asks it, "would you call again, 1 yes, 2 no") on the keypad; after a
specialist closes a text conversation, the texter gets one text asking the same, answered
by a digit within the line's window. Nobody with crisis signs or a crisis referral is
asked, nor a texter who sent STOP. Only numbers are kept: when it was asked, the score, the
yes or no. Nothing is kept to find a texter's answer: it is matched by caller tag to their
last conversation, so the number is never held after the close.
"""

from __future__ import annotations

import enum
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline import calls, roster
from warmline.calls import CallPlan
from warmline.jobs import Jobs
from warmline.lines import LineContext, context
from warmline.models import Channel, Contact, Line, Outcome, TextOptOut, User

HELPFUL = "survey_helpful"
RETURN = "survey_return"
THANKS = "survey_thanks"
# The question each keypad step asks, as its URL names it.
QUESTIONS = {"helpful": HELPFUL, "return": RETURN}
HELPFUL_KEYS = frozenset("12345")
RETURN_KEYS = {"1": True, "2": False}
# A key outside the answers (or silence) hears the question once more, then the thanks.
TRIES = 2


class Next(enum.Enum):
    """What a caller hears next in the survey."""

    ASK = "ask"
    THANKS = "thanks"


@dataclass(frozen=True)
class SurveyPlan:
    """One turn of the call survey: a question (and which try it is), or the thanks."""

    next: Next
    line: LineContext
    contact_id: int
    language: str
    question: str = "helpful"
    attempt: int = 1

    @property
    def kind(self) -> str:
        return QUESTIONS[self.question] if self.next is Next.ASK else THANKS


def may_ask(line: Line, contact: Contact) -> bool:
    """Return whether the line asks this contact for feedback.

    Only after a conversation with a specialist, on a line that asks, and never someone
    with crisis signs, a crisis flag carried over, or a referral or handoff to the crisis
    line: a person in crisis is not asked to grade the call. Never a practice call.
    """
    return (
        line.survey_enabled
        and not contact.practice
        and contact.connected_at is not None
        and contact.specialist_id is not None
        and contact.crisis_tier == 0
        and contact.crisis_referred_at is None
        and contact.outcome in {Outcome.OPEN, Outcome.ANSWERED}
        and contact.survey_asked_at is None
    )


# Calls.


def after_specialist(
    session: Session, client: redis.Redis, *, contact_id: int, at: datetime
) -> CallPlan | SurveyPlan:
    """What a caller hears once their specialist has left: the survey, where the line asks.

    Otherwise as `calls.after_specialist`: a goodbye, or the crisis line after a handoff.
    """
    plan = calls.after_specialist(session, client, contact_id=contact_id)
    if plan.step is not calls.Step.NOTHING:
        return plan
    contact, line = calls.open_call(session, contact_id)
    if not may_ask(line, contact):
        return plan
    contact.survey_asked_at = at
    session.commit()
    return SurveyPlan(Next.ASK, context(line), contact.id, contact.language)


def answer_call(
    session: Session,
    client: redis.Redis,
    jobs: Jobs,
    *,
    contact_id: int,
    question: str,
    attempt: int,
    digits: str,
    speech: str,
    at: datetime,
) -> CallPlan | SurveyPlan:
    """Take a key pressed at a survey question: keep a valid answer, ask again once, thank.

    9 (or crisis words, on a line that listens) reaches the crisis line as everywhere else.
    A caller who hangs up sends no answer, and nothing more is kept.
    """
    found = calls.open_call(session, contact_id)
    if found is None or question not in QUESTIONS:
        return CallPlan(calls.Step.UNKNOWN, None)
    contact, line = found
    tier = calls.hears_crisis(digits, speech, line.crisis_terms)
    if tier:
        return calls.refer_to_crisis(session, client, jobs, contact_id=contact_id, tier=tier, at=at)
    here = context(line)
    thanks = SurveyPlan(Next.THANKS, here, contact.id, contact.language)
    if contact.survey_asked_at is None:
        return thanks
    if question == "helpful" and digits in HELPFUL_KEYS:
        contact.survey_helpful = int(digits)
        session.commit()
        if line.survey_asks_return:
            return SurveyPlan(Next.ASK, here, contact.id, contact.language, "return")
        return thanks
    if question == "return" and digits in RETURN_KEYS:
        contact.survey_would_return = RETURN_KEYS[digits]
        session.commit()
        return thanks
    if attempt < TRIES:
        return SurveyPlan(Next.ASK, here, contact.id, contact.language, question, attempt + 1)
    return thanks


# Texts.


def read_text_answer(body: str) -> int | None:
    """Return the score a text gives, when it is nothing but one digit from 1 to 5."""
    stripped = body.strip().rstrip(".!")
    return int(stripped) if len(stripped) == 1 and stripped in HELPFUL_KEYS else None


def asked_by_text(session: Session, line: Line, contact: Contact, at: datetime) -> bool:
    """Note that a closing text conversation's texter is asked; False when they may not be
    (see `may_ask`), or sent STOP: nothing is sent to them until START."""
    opted_out = session.scalar(
        select(TextOptOut.id).where(
            TextOptOut.line_id == line.id, TextOptOut.caller_tag == contact.caller_tag
        )
    )
    if not contact.caller_tag or opted_out is not None or not may_ask(line, contact):
        return False
    contact.survey_asked_at = at
    return True


def take_text_answer(
    session: Session, line: Line, *, caller_tag: str, score: int, at: datetime
) -> Contact | None:
    """Keep a texter's score on their last conversation, if it asked them and the window is
    open; return that conversation, or None when the text is not an answer."""
    last = session.scalar(
        select(Contact)
        .where(
            Contact.line_id == line.id,
            Contact.channel == Channel.SMS,
            Contact.caller_tag == caller_tag,
        )
        .order_by(Contact.arrived_at.desc())
        .limit(1)
    )
    if (
        last is None
        or last.ended_at is None
        or last.survey_asked_at is None
        or last.survey_helpful is not None
        or at - last.survey_asked_at > timedelta(hours=line.survey_window_hours)
    ):
        return None
    last.survey_helpful = score
    session.commit()
    return last


# The report.


@dataclass
class Tally:
    """Answers to the helpfulness question: how many were asked and answered, the scores."""

    asked: int = 0
    answered: int = 0
    score_total: int = 0
    return_yes: int = 0
    return_answers: int = 0

    def add(self, helpful: int | None, would_return: bool | None) -> None:
        self.asked += 1
        if helpful is not None:
            self.answered += 1
            self.score_total += helpful
        if would_return is not None:
            self.return_answers += 1
            self.return_yes += int(would_return)

    @property
    def mean(self) -> float | None:
        return round(self.score_total / self.answered, 2) if self.answered else None

    @property
    def response_rate(self) -> float | None:
        return round(self.answered / self.asked, 4) if self.asked else None

    @property
    def return_share(self) -> float | None:
        return round(self.return_yes / self.return_answers, 4) if self.return_answers else None


@dataclass
class FeedbackReport:
    """The feedback of one line over local dates first..last, from numbers alone."""

    line_id: int
    first: date
    last: date
    timezone: str
    overall: Tally = field(default_factory=Tally)
    by_channel: dict[str, Tally] = field(default_factory=dict)
    # How many answers gave each score, 1 to 5.
    scores: Counter[int] = field(default_factory=Counter)
    per_day: dict[str, Tally] = field(default_factory=dict)
    # By the local hour the contact arrived, 0 to 23.
    per_hour: list[Tally] = field(default_factory=list)
    # By specialist id, with their names.
    by_specialist: dict[int, Tally] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)


def report(
    session: Session, line: Line, first: date, last: date, *, specialist_id: int | None = None
) -> FeedbackReport:
    """Add up the answers of contacts that arrived on local dates first..last (both included).

    With `specialist_id`, only that specialist's contacts: what they may see of their own.
    """
    if last < first:
        raise ValueError("the period must end on or after its first day")
    starts_at, ends_at = roster.local_day_bounds(line, first, last)
    tz = roster.zone(line)
    result = FeedbackReport(line.id, first, last, line.timezone)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    result.per_day = {day.isoformat(): Tally() for day in days}
    result.per_hour = [Tally() for _hour in range(24)]
    result.by_channel = {channel.value: Tally() for channel in Channel}
    conditions = [
        Contact.line_id == line.id,
        Contact.arrived_at >= starts_at,
        Contact.arrived_at < ends_at,
        Contact.survey_asked_at.is_not(None),
        Contact.practice.is_(False),
    ]
    if specialist_id is not None:
        conditions.append(Contact.specialist_id == specialist_id)
    rows = session.execute(
        select(
            Contact.channel,
            Contact.arrived_at,
            Contact.specialist_id,
            Contact.survey_helpful,
            Contact.survey_would_return,
        ).where(*conditions)
    )
    by_specialist: dict[int, Tally] = defaultdict(Tally)
    for channel, arrived, specialist, helpful, would_return in rows:
        local = arrived.astimezone(tz)
        for tally in (
            result.overall,
            result.by_channel[channel.value],
            result.per_day[local.date().isoformat()],
            result.per_hour[local.hour],
        ):
            tally.add(helpful, would_return)
        if specialist is not None:
            by_specialist[specialist].add(helpful, would_return)
        if helpful is not None:
            result.scores[helpful] += 1
    result.by_specialist = dict(by_specialist)
    result.names = dict(
        session.execute(
            select(User.id, User.display_name).where(User.id.in_(set(by_specialist)))
        ).all()
    )
    return result
