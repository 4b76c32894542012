"""A specialist's own record: this shift and this month, in the line's own month and zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.clock import ALL_DAYS
from tests.factories import make_line
from warmline import reports, roster
from warmline.models import Channel, Contact, Outcome, Role, Shift
from warmline.people import add_user

LINE_NUMBERS = {"America/New_York": "+15005550001", "Europe/Madrid": "+15005550002",
                "Australia/Sydney": "+15005550003"}  # fmt: skip


def local(zone: str, day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def answered(line, specialist, at: datetime, talk_seconds: int) -> Contact:
    return Contact(
        line_id=line.id, channel=Channel.VOICE, caller_tag="c" * 64, arrived_at=at,
        connected_at=at, talk_seconds=talk_seconds, outcome=Outcome.ANSWERED,
        specialist_id=specialist.id,
    )  # fmt: skip


@pytest.mark.parametrize(("zone", "day"), ALL_DAYS)
def test_the_month_and_the_shift_begin_on_the_lines_own_clock(session, zone, day):
    line = make_line(session, timezone=zone, twilio_number=LINE_NUMBERS[zone])
    ana = add_user(
        session, email="ana@example.org", display_name="Ana", password="a long enough password",
        role=Role.SPECIALIST,
    )  # fmt: skip
    first = day.replace(day=1)
    # An overnight shift from 22:00 on the last evening of the month before, to 06:00.
    shift = Shift(
        line_id=line.id, user_id=ana.id, starts_at=local(zone, first, 0) - timedelta(hours=2),
        ends_at=local(zone, first, 6),
    )  # fmt: skip
    session.add(shift)
    session.add_all(
        [
            answered(line, ana, local(zone, first, 0) - timedelta(minutes=30), 600),
            answered(line, ana, local(zone, first, 0, 30), 300),
            answered(line, ana, local(zone, first, 3), 120),
        ]
    )
    session.commit()

    record = reports.own_record(session, line, ana.id, local(zone, first, 4))

    assert record.shift == shift
    assert (record.shift_contacts, record.shift_talk_seconds) == (3, 1020)
    assert (record.month_contacts, record.month_talk_seconds) == (2, 420)
    after = reports.own_record(session, line, ana.id, local(zone, first, 6))
    assert after.shift is None
    assert (after.shift_contacts, after.month_contacts) == (0, 2)
    assert roster.next_shifts(session, ana.id, local(zone, first, 6), 8) == []
    assert roster.next_shifts(session, ana.id, local(zone, first, 5, 59), 8) == [shift]
