"""Which earlier contact's crisis flag a new contact carries: the same tag, line and period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_line
from warmline.crisis.carry import carried_flag
from warmline.models import Channel, Contact, Outcome

# A fixed instant: the answer depends on the contacts' times, never on the hour the test runs.
NOW = datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
TAG_A, TAG_B = "a" * 64, "b" * 64


@pytest.fixture
def line(session):
    return make_line(session)


def _contact(session, line, *, tag=TAG_A, hours_ago: float, tier: int) -> Contact:
    at = NOW - timedelta(hours=hours_ago)
    contact = Contact(
        line_id=line.id,
        channel=Channel.SMS,
        caller_tag=tag,
        arrived_at=at,
        ended_at=at + timedelta(minutes=10),
        outcome=Outcome.ANSWERED,
        crisis_tier=tier,
    )
    session.add(contact)
    session.commit()
    return contact


def test_the_latest_flag_within_the_period_is_carried_with_when(session, line):
    _contact(session, line, hours_ago=23, tier=2)
    _contact(session, line, hours_ago=5, tier=1)
    _contact(session, line, hours_ago=1, tier=0)

    carried = carried_flag(session, line, TAG_A, NOW)

    assert (carried.tier, carried.hours_ago(NOW)) == (1, 5)


def test_no_flag_past_the_period_from_another_tag_or_line_or_when_turned_off(session, line):
    other_line = make_line(session, twilio_number="+15017122699")
    _contact(session, line, hours_ago=24.5, tier=2)
    _contact(session, line, tag=TAG_B, hours_ago=1, tier=2)
    _contact(session, other_line, hours_ago=1, tier=2)

    assert carried_flag(session, line, TAG_A, NOW) is None
    assert carried_flag(session, line, None, NOW) is None
    line.crisis_carry_hours = 48
    assert carried_flag(session, line, TAG_A, NOW).tier == 2
    line.crisis_carry_hours = 0
    assert carried_flag(session, line, TAG_A, NOW) is None


def test_a_stored_contact_carries_only_what_came_before_it(session, line):
    _contact(session, line, hours_ago=3, tier=2)
    itself = _contact(session, line, hours_ago=1, tier=1)

    carried = carried_flag(session, line, TAG_A, itself.arrived_at, before_id=itself.id)

    assert (carried.tier, carried.hours_ago(NOW)) == (2, 3)
