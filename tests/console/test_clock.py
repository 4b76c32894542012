"""Rosters, coverage, reports and the calendar feed on the line's clock, at every hour of
the days the clocks change in New York, Madrid and Sydney; the console's "this week" and
"today" at frozen instants either side of the line's midnight.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, date, timedelta

import time_machine
from icalendar import Calendar
from sqlalchemy import select

from tests.clock import ALL_DAYS, DAYS, HOURS_LONG, KINDS, instants, local, midnight
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
            "timezone": zone,
        }


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
        assert f"week of {monday.isoformat()}" in page, now
        today = local("America/New_York", now).date()
        assert (data["first"], data["last"]) == (
            (today - timedelta(days=27)).isoformat(),
            today.isoformat(),
        ), now
