"""Rosters, coverage, reports and the calendar feed on the line's clock, at every hour of
the days the clocks change in New York, Madrid and Sydney; the console's "this week" and
"today" at frozen instants either side of the line's midnight.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar
from sqlalchemy import select

from tests.clock import ALL_DAYS, DAYS, HOURS_LONG, KINDS, instants, local, midnight, shown_date
from tests.console.test_console_pages import Browser
from tests.factories import make_line
from warmline import calendar_feed, coverage, people, reports, roster
from warmline.lines import assign_coordinator
from warmline.models import Channel, Contact, Outcome, Shift

HALF_HOUR = timedelta(minutes=30)
# Each zone's two clock-change days, each with a number for a line of its own.
CHANGES = [
    (number, zone, DAYS[zone][index], KINDS[index])
    for number, (zone, index) in enumerate((zone, index) for zone in DAYS for index in (1, 2))
]


def line_in(session, number: int, zone: str, *, served_by=None):
    """A line of its own in `zone` (one database serves every zone and day), and its specialist."""
    line = make_line(session, timezone=zone, twilio_number=f"+1501713{number:04d}")
    if served_by is not None:
        people.set_lines(
            session,
            served_by,
            {*people.lines_served(session, served_by.id), line.id},
            actor_id=None,
            via="test",
        )
    return line


def test_a_whole_day_weekly_shift_lasts_the_days_real_hours_and_covers_each_of_them(session, ana):
    for number, zone, day, kind in CHANGES:
        line = line_in(session, number, zone, served_by=ana)
        roster.add_pattern(
            session,
            line=line,
            user=ana,
            weekday=6,
            start="00:00",
            end="24:00",
            starts_on=day,
            ends_on=day,
            today=day,
        )
        session.commit()
        shift = session.scalars(
            select(Shift).where(Shift.line_id == line.id, Shift.occurrence == day)
        ).one()
        assert (shift.starts_at, shift.ends_at) == (
            midnight(zone, day),
            midnight(zone, day + timedelta(days=1)),
        )
        assert shift.ends_at - shift.starts_at == timedelta(hours=HOURS_LONG[kind])
        sunday = coverage.week(session, line, day).day(6)
        real = [hour for hour in sunday if hour.exists]
        assert len(real) == (23 if kind == "spring forward" else 24), (zone, day)
        assert all(hour.on_shift == 1 and not hour.gap for hour in real), (zone, day)
        lasted = sum((hour.ends_at - hour.starts_at for hour in sunday), timedelta())
        assert lasted == timedelta(hours=HOURS_LONG[kind])


def test_an_overnight_weekly_shift_into_the_change_keeps_its_wall_clock_hours(session, ana):
    for number, zone, day, kind in CHANGES:
        line = line_in(session, number, zone, served_by=ana)
        saturday = day - timedelta(days=1)
        roster.add_pattern(
            session,
            line=line,
            user=ana,
            weekday=5,
            start="22:00",
            end="06:00",
            starts_on=saturday,
            ends_on=saturday,
            today=saturday,
        )
        session.commit()
        shift = session.scalars(
            select(Shift).where(Shift.line_id == line.id, Shift.occurrence == saturday)
        ).one()
        assert shift.ends_at - shift.starts_at == timedelta(hours=HOURS_LONG[kind] - 16)
        assert roster.describe(line, shift) == {
            "date": saturday.isoformat(),
            "start": "22:00",
            "end": "06:00",
            "end_date": day.isoformat(),
            "timezone": zone,
        }
        assert roster.ends_next_day(line, shift)


def _wall(zone: str, at: datetime) -> tuple[date, str]:
    """Return the local date and the wall-clock minute a coordinator would type for `at`."""
    moment = local(zone, at)
    return moment.date(), moment.strftime("%H:%M")


def _reads_twice(zone: str, at: datetime) -> bool:
    """Whether the wall clock shows `at`'s time twice that night (the fall-back hour)."""
    moment = local(zone, at).replace(tzinfo=None)
    tz = ZoneInfo(zone)
    return (
        moment.replace(tzinfo=tz, fold=0).utcoffset()
        != moment.replace(tzinfo=tz, fold=1).utcoffset()
    )


def _add(session, line, ana, at: datetime, now: datetime, hours: int = 3):
    day, start = _wall(line.timezone, at)
    end = _wall(line.timezone, at + timedelta(hours=hours))[1]
    return roster.add_local_shift(
        session, line=line, user=ana, day=day, start=start, end=end, now=now
    )


def test_a_shift_already_started_is_refused_and_one_to_come_is_taken_at_every_hour(session, ana):
    """Every hour of an ordinary day and of both clock changes, in three zones: a shift that
    started a minute ago (an hour and a minute, where the wall clock reads twice) is in the
    past; one starting in two minutes is taken, for exactly the hours it was given."""
    for number, (zone, day) in enumerate(ALL_DAYS):
        line = line_in(session, number, zone, served_by=ana)
        session.commit()
        for now in instants(zone, day):
            now = now.replace(second=30)
            ago = timedelta(minutes=1)
            if _reads_twice(zone, now - ago):
                ago += timedelta(hours=1)
            with pytest.raises(roster.RosterError, match="is in the past"):
                _add(session, line, ana, now - ago, now)
            soon = now + timedelta(minutes=2)
            # An end the wall clock reads twice is its first reading: keep clear of that here.
            hours = 4 if _reads_twice(zone, soon + timedelta(hours=3)) else 3
            shift = _add(session, line, ana, soon, now, hours)
            assert now < shift.starts_at <= soon, (zone, now)
            assert shift.ends_at - shift.starts_at == timedelta(hours=hours), (zone, now)
            session.rollback()


def test_in_the_hour_the_clocks_repeat_a_new_shift_is_the_one_still_to_come(session, line, ana):
    """Chicago falls back at 02:00 CDT on 2026-11-01: 01:00 to 02:00 comes twice."""
    second_pass = datetime(2026, 11, 1, 7, 10, tzinfo=UTC)  # 01:10 CST
    assert local("America/Chicago", second_pass).strftime("%H:%M %Z") == "01:10 CST"
    day = date(2026, 11, 1)
    shift = roster.add_local_shift(
        session, line=line, user=ana, day=day, start="01:40", end="05:00", now=second_pass
    )
    assert shift.starts_at == datetime(2026, 11, 1, 7, 40, tzinfo=UTC)
    with pytest.raises(roster.RosterError, match="is in the past"):
        roster.add_local_shift(
            session, line=line, user=ana, day=day, start="01:05", end="05:00", now=second_pass
        )
    first_pass = datetime(2026, 11, 1, 6, 10, tzinfo=UTC)  # 01:10 CDT
    session.rollback()
    early = roster.add_local_shift(
        session, line=line, user=ana, day=day, start="01:40", end="05:00", now=first_pass
    )
    assert early.starts_at == datetime(2026, 11, 1, 6, 40, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "starts", "hours", "next_day"),
    [
        # New York falls back at 02:00 EDT on 2026-11-01: 01:30 comes twice.
        ("America/New_York", datetime(2026, 11, 1, 5, 30, tzinfo=UTC), 1, False),
        ("America/New_York", datetime(2026, 11, 1, 1, 0, tzinfo=UTC), 8, True),
        # ...and springs forward at 02:00 EST on 2026-03-08: 01:30 to 03:30 is one hour.
        ("America/New_York", datetime(2026, 3, 8, 6, 30, tzinfo=UTC), 1, False),
        ("America/New_York", datetime(2026, 3, 8, 3, 0, tzinfo=UTC), 8, True),
        ("Europe/Madrid", datetime(2026, 10, 24, 20, 0, tzinfo=UTC), 8, True),
        ("Australia/Sydney", datetime(2026, 10, 3, 12, 0, tzinfo=UTC), 8, True),
        ("Australia/Sydney", datetime(2026, 4, 4, 22, 0, tzinfo=UTC), 6, False),
    ],
)
def test_a_shift_ends_next_day_only_when_its_end_is_a_later_local_date(
    session, ana, zone, starts, hours, next_day
):
    line = line_in(session, 0, zone, served_by=ana)
    shift = roster.add_shift(
        session, line=line, user=ana, starts_at=starts, ends_at=starts + timedelta(hours=hours)
    )
    assert roster.ends_next_day(line, shift) is next_day


def test_an_eight_hour_shift_from_any_hour_ends_next_day_exactly_when_it_reaches_midnight(
    session, ana
):
    for number, (zone, day) in enumerate(ALL_DAYS):
        line = line_in(session, number, zone, served_by=ana)
        for starts in instants(zone, day)[:-1]:
            shift = roster.add_shift(
                session, line=line, user=ana, starts_at=starts, ends_at=starts + timedelta(hours=8)
            )
            crosses = starts + timedelta(hours=8) >= midnight(zone, day + timedelta(days=1))
            assert roster.ends_next_day(line, shift) is crosses, (zone, starts)
            session.rollback()


def test_the_lines_today_is_its_own_date_at_every_hour(line):
    """What the roster and the reports take for today when nobody names a date."""
    for zone, day in ALL_DAYS:
        line.timezone = zone
        for now in instants(zone, day):
            with time_machine.travel(now, tick=False):
                assert roster.local_today(line) == day, (zone, now)


def tag(n: int) -> str:
    return hashlib.sha256(f"caller {n}".encode()).hexdigest()


def test_a_reports_day_holds_every_contact_of_the_local_day_by_its_wall_clock_hour(session):
    for number, zone, day, kind in CHANGES:
        line = line_in(session, number, zone)
        inside = instants(zone, day, HALF_HOUR)
        outside = [midnight(zone, day) - timedelta(minutes=1), midnight(zone, day + timedelta(1))]
        for n, arrived in enumerate(inside + outside):
            session.add(
                Contact(
                    line_id=line.id,
                    channel=Channel.VOICE,
                    caller_tag=tag(n),
                    arrived_at=arrived,
                    outcome=Outcome.ABANDONED,
                )
            )
        session.commit()
        report = reports.build(session, line, day, day)
        assert report.total == len(inside), (zone, day)
        assert report.per_day["voice"] == {day.isoformat(): len(inside)}
        hours = Counter(local(zone, arrived).hour for arrived in inside)
        assert report.per_hour["voice"] == [hours[hour] for hour in range(24)]
        if kind == "fall back":
            assert max(report.per_hour["voice"]) == 4  # the repeated hour, twice over
        else:
            assert report.per_hour["voice"].count(0) == 1  # the hour the clocks skip


def test_the_calendar_feed_gives_every_hour_of_a_clock_change_day_its_real_instants(session, ana):
    """A half-hour shift starting at each real hour reads back as the same two instants,
    even in the hour a fall-back night repeats, where the line's clock names two moments.
    """
    for number, zone, day, _kind in CHANGES:
        line = line_in(session, number, zone)
        starts = instants(zone, day)[:-1]
        made = {
            str(
                roster.add_shift(
                    session, line=line, user=ana, starts_at=at, ends_at=at + HALF_HOUR
                ).id
            )
            for at in starts
        }
        session.commit()
        with time_machine.travel(starts[0], tick=False):
            parsed = Calendar.from_ical(calendar_feed.feed(session, ana))
        read = sorted(
            (event.decoded("dtstart").astimezone(UTC), event.decoded("dtend").astimezone(UTC))
            for event in parsed.walk("VEVENT")
            if str(event["uid"]).removeprefix("shift-").removesuffix("@warmline") in made
        )
        assert read == [(start, start + HALF_HOUR) for start in starts], (zone, day)


def test_the_consoles_week_and_period_turn_at_the_lines_midnight(app, session, line, cora):
    """Sunday 23:30 in New York is Monday in UTC: the console still shows Sunday's week."""
    line.timezone = "America/New_York"
    assign_coordinator(session, line, cora, via="cli")
    session.commit()
    new_york_monday = midnight("America/New_York", date(2026, 11, 2))
    for now, monday in [
        (new_york_monday - HALF_HOUR, date(2026, 10, 26)),
        (new_york_monday + HALF_HOUR, date(2026, 11, 2)),
        (midnight("America/New_York", date(2026, 3, 9)) - HALF_HOUR, date(2026, 3, 2)),
    ]:
        with time_machine.travel(now, tick=False):
            console = Browser(app.test_client())
            console.sign_in(cora.email)
            page = console.page(f"/console/lines/{line.id}/roster")
            data = console.get(f"/console/lines/{line.id}/reports.json").json
        assert f"week of {shown_date(monday)}" in page, now
        today = local("America/New_York", now).date()
        assert (data["first"], data["last"]) == (
            (today - timedelta(days=27)).isoformat(),
            today.isoformat(),
        ), now
