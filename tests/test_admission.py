"""One admission for calls and texts: blocked, over the daily limit, closed, or let in."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_line, make_specialist, on_shift
from warmline.admission import Admission, History, Refusal, admit, caller_history
from warmline.crisis.carry import CarriedFlag
from warmline.live import LiveLine
from warmline.models import WEEKDAYS, Block, Channel, Contact, Outcome, PracticeCall, utcnow

TAG = hashlib.sha256(b"a caller").hexdigest()
# A Wednesday afternoon in New York, far from midnight: the daily count is that day's.
AFTERNOON = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)


@pytest.fixture
def staffed(app, session):
    line = make_line(session, daily_contact_limit=1)
    on_shift(app, session, line, make_specialist(session, line))
    return line, LiveLine(app.extensions["warmline"].redis, line.id)


def answered_today(session, line) -> None:
    at = AFTERNOON - timedelta(hours=1)
    session.add(
        Contact(
            line_id=line.id,
            channel=Channel.VOICE,
            caller_tag=TAG,
            arrived_at=at,
            connected_at=at,
            ended_at=at + timedelta(minutes=10),
            language="en",
            outcome=Outcome.ANSWERED,
        )
    )
    session.commit()


def test_a_staffed_open_line_lets_a_new_contact_in(session, staffed):
    line, live = staffed
    assert admit(session, line, live, caller_tag=TAG, at=utcnow()) == Admission()


def test_a_blocked_caller_is_refused_and_a_withheld_number_never_is(session, staffed):
    line, live = staffed
    session.add(Block(line_id=line.id, caller_tag=TAG, reason="abusive"))
    session.commit()
    refused = admit(session, line, live, caller_tag=TAG, at=utcnow())
    assert refused.refusal is Refusal.BLOCKED
    assert admit(session, line, live, caller_tag=None, at=utcnow()).refusal is None


def test_over_the_daily_limit_is_refused_unless_the_contact_shows_crisis_signs(session, staffed):
    line, live = staffed
    answered_today(session, line)
    assert admit(session, line, live, caller_tag=TAG, at=AFTERNOON).refusal is Refusal.LIMITED
    in_crisis = admit(session, line, live, caller_tag=TAG, at=AFTERNOON, crisis_tier=1)
    assert in_crisis.refusal is None


def test_outside_its_hours_the_line_is_closed_until_it_next_opens(session, redis_client):
    line = make_line(
        session,
        timezone="America/New_York",
        opening_hours={day: [["09:00", "12:00"]] for day in WEEKDAYS},
    )
    closed = admit(session, line, LiveLine(redis_client, line.id), caller_tag=TAG, at=AFTERNOON)
    assert closed.refusal is Refusal.CLOSED
    assert closed.outside_hours
    assert closed.reopens_at == datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


def test_nobody_on_shift_closes_an_open_line_without_it_being_outside_hours(session, redis_client):
    line = make_line(session)
    closed = admit(session, line, LiveLine(redis_client, line.id), caller_tag=TAG, at=utcnow())
    assert closed.refusal is Refusal.CLOSED
    assert not closed.outside_hours


def flagged_contact(session, line, *, hours_ago: float, tier: int, tag: str = TAG) -> None:
    at = AFTERNOON - timedelta(hours=hours_ago)
    session.add(
        Contact(
            line_id=line.id,
            channel=Channel.SMS,
            caller_tag=tag,
            arrived_at=at,
            ended_at=at + timedelta(minutes=5),
            language="en",
            outcome=Outcome.ANSWERED,
            crisis_tier=tier,
        )
    )
    session.commit()


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_a_callers_block_and_carried_flag_are_read_together(session):
    line = make_line(session, crisis_carry_hours=24)
    assert caller_history(session, line, TAG, AFTERNOON) == History()
    assert caller_history(session, line, None, AFTERNOON) == History()
    flagged_contact(session, line, hours_ago=30, tier=2)
    flagged_contact(session, line, hours_ago=3, tier=1)
    flagged_contact(session, line, hours_ago=2, tier=1, tag="b" * 64)
    history = caller_history(session, line, TAG, AFTERNOON)
    assert history == History(carried=CarriedFlag(1, AFTERNOON - timedelta(hours=3)))
    session.add(Block(line_id=line.id, caller_tag=TAG, reason="abusive"))
    session.add(
        Block(
            line_id=line.id,
            caller_tag="c" * 64,
            reason="expired",
            expires_at=AFTERNOON - timedelta(hours=1),
        )
    )
    session.commit()
    assert caller_history(session, line, TAG, AFTERNOON).blocked
    assert not caller_history(session, line, "c" * 64, AFTERNOON).blocked
    line.crisis_carry_hours = 0
    session.commit()
    assert caller_history(session, line, TAG, AFTERNOON) == History(blocked=True)


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
@pytest.mark.parametrize("carry_hours", [24, 0])
def test_a_practice_call_set_up_for_the_tag_is_read_with_its_history(session, carry_hours):
    """Only one set up on this line, for this tag, not yet taken and not expired."""
    line = make_line(session, crisis_carry_hours=carry_hours)
    other = make_line(session, twilio_number="+15005550199")

    def set_up(*, tag=TAG, line_id=line.id, expires_in=timedelta(minutes=30), taken=None):
        session.add(
            PracticeCall(
                line_id=line_id,
                scenario="first-call",
                caller_tag=tag,
                opened_at=AFTERNOON - timedelta(minutes=5),
                expires_at=AFTERNOON + expires_in,
                contact_id=taken,
            )
        )
        session.commit()

    set_up(expires_in=-timedelta(seconds=1))
    set_up(tag="d" * 64)
    set_up(line_id=other.id)
    taken = Contact(line_id=line.id, channel=Channel.VOICE, arrived_at=AFTERNOON)
    session.add(taken)
    session.commit()
    set_up(taken=taken.id)
    assert caller_history(session, line, TAG, AFTERNOON) == History()
    set_up()
    assert caller_history(session, line, TAG, AFTERNOON) == History(practice=True)
