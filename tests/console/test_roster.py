"""Weekly patterns, one-off shifts, cancellations and swaps, in the line's wall-clock time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.console.conftest import BOTH
from tests.factories import LONG_AGO
from warmline import roster
from warmline.models import AuditEvent, Shift

SPRING_FORWARD_WEEK = date(2026, 3, 2)  # Monday; clocks go forward Sunday 2026-03-08
FALL_BACK_SUNDAY = date(2026, 11, 1)


def _actions(session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@BOTH
def test_weekly_pattern_keeps_its_wall_clock_time_across_spring_forward(session, line, ana, cora):
    pattern = roster.add_pattern(
        session,
        line=line,
        user=ana,
        weekday=0,
        start="18:00",
        end="22:00",
        starts_on=SPRING_FORWARD_WEEK,
        today=SPRING_FORWARD_WEEK,
        actor_id=cora.id,
    )
    session.commit()
    shifts = session.scalars(
        select(Shift).where(Shift.pattern_id == pattern.id).order_by(Shift.starts_at)
    ).all()
    assert len(shifts) == 8
    before, after = shifts[0], shifts[1]
    # 18:00 CST is 00:00 UTC; a week later 18:00 CDT is 23:00 UTC.
    assert before.starts_at == datetime(2026, 3, 3, 0, 0, tzinfo=UTC)
    assert after.starts_at == datetime(2026, 3, 9, 23, 0, tzinfo=UTC)
    assert all(roster.describe(line, s)["start"] == "18:00" for s in shifts)
    assert all(roster.describe(line, s)["end"] == "22:00" for s in shifts)
    assert "pattern.add" in _actions(session)


@BOTH
def test_overnight_shift_on_fall_back_night_lasts_an_hour_longer(session, line, ana):
    shift = roster.add_local_shift(
        session,
        now=LONG_AGO,
        line=line,
        user=ana,
        day=date(2026, 10, 31),
        start="22:00",
        end="06:00",
    )
    session.commit()
    assert (shift.ends_at - shift.starts_at).total_seconds() == 9 * 3600
    assert roster.describe(line, shift) == {
        "date": "2026-10-31",
        "start": "22:00",
        "end": "06:00",
        "end_date": "2026-11-01",
        "timezone": "America/Chicago",
    }
    assert roster.ends_next_day(line, shift)


def test_start_in_the_skipped_hour_begins_when_the_clock_resumes(session, line):
    window = roster.local_window(line, date(2026, 3, 8), "02:30", "06:00")
    assert window.starts_at == datetime(2026, 3, 8, 8, 30, tzinfo=UTC)  # 03:30 CDT
    assert window.ends_at == datetime(2026, 3, 8, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [("25:00", "26:00", "time of day"), ("9am", "17:00", "time of day"), ("", "1", "time")],
)
def test_bad_times_are_refused_with_a_reason(session, line, ana, start, end, message):
    with pytest.raises(roster.RosterError, match=message):
        roster.add_local_shift(
            session, now=LONG_AGO, line=line, user=ana, day=date(2026, 5, 1), start=start, end=end
        )


@BOTH
def test_cancelled_pattern_shift_stays_cancelled_when_expanded_again(session, line, ana, cora):
    pattern = roster.add_pattern(
        session,
        line=line,
        user=ana,
        weekday=1,
        start="09:00",
        end="13:00",
        starts_on=date(2026, 5, 5),
        today=date(2026, 5, 1),
    )
    first = session.scalars(select(Shift).where(Shift.occurrence == date(2026, 5, 12))).one()
    roster.cancel_shift(session, first, actor_id=cora.id)
    session.commit()
    made = roster.extend_patterns(session, line=line, today=date(2026, 5, 1))
    assert made == 0
    occurrences = set(
        session.scalars(select(Shift.occurrence).where(Shift.pattern_id == pattern.id))
    )
    assert date(2026, 5, 12) not in occurrences
    assert date(2026, 5, 5) in occurrences
    assert "shift.cancel" in _actions(session)


@BOTH
def test_extending_patterns_moves_the_horizon_without_duplicates(session, line, ana):
    roster.add_pattern(
        session,
        line=line,
        user=ana,
        weekday=2,
        start="10:00",
        end="12:00",
        starts_on=date(2026, 1, 7),
        today=date(2026, 1, 1),
    )
    assert roster.extend_patterns(session, line=line, today=date(2026, 1, 1)) == 0
    assert roster.extend_patterns(session, line=line, today=date(2026, 2, 1)) == 4
    session.commit()
    assert session.scalar(select(Shift.id).where(Shift.user_id == ana.id).limit(1))


@BOTH
def test_ending_a_pattern_removes_only_its_future_shifts(session, line, ana):
    today = roster.local_today(line)
    pattern = roster.add_pattern(
        session,
        line=line,
        user=ana,
        weekday=today.weekday(),
        start="23:00",
        end="23:30",
        starts_on=today,
    )
    removed = roster.end_pattern(session, pattern, line=line, last_day=today)
    session.commit()
    assert removed == 7
    assert pattern.ends_on == today


@BOTH
def test_swap_exchanges_two_people_and_is_audited(session, line, ana, bo, cora):
    mine = roster.add_local_shift(
        session, now=LONG_AGO, line=line, user=ana, day=date(2026, 6, 1), start="09:00", end="13:00"
    )
    theirs = roster.add_local_shift(
        session, now=LONG_AGO, line=line, user=bo, day=date(2026, 6, 2), start="09:00", end="13:00"
    )
    roster.swap_shifts(session, mine, theirs, actor_id=cora.id)
    session.commit()
    assert (mine.user_id, theirs.user_id) == (bo.id, ana.id)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "shift.swap")).one()
    assert event.actor_id == cora.id and event.detail["users"] == [ana.id, bo.id]


@BOTH
def test_nobody_is_double_booked(session, line, ana, bo):
    roster.add_local_shift(
        session, now=LONG_AGO, line=line, user=ana, day=date(2026, 6, 1), start="09:00", end="13:00"
    )
    with pytest.raises(roster.RosterError, match="already has a shift"):
        roster.add_local_shift(
            session,
            now=LONG_AGO,
            line=line,
            user=ana,
            day=date(2026, 6, 1),
            start="12:00",
            end="14:00",
        )
    theirs = roster.add_local_shift(
        session, now=LONG_AGO, line=line, user=bo, day=date(2026, 6, 1), start="10:00", end="11:00"
    )
    with pytest.raises(roster.RosterError, match="already has a shift"):
        roster.reassign_shift(session, theirs, ana)


def test_reassigning_to_a_deactivated_person_is_refused(session, line, ana, bo):
    shift = roster.add_local_shift(
        session, now=LONG_AGO, line=line, user=ana, day=date(2026, 6, 1), start="09:00", end="13:00"
    )
    bo.active = False
    with pytest.raises(roster.RosterError, match="deactivated"):
        roster.reassign_shift(session, shift, bo)


@pytest.mark.parametrize(("start", "end"), [("18:00", "18:00"), ("00:00", "00:00")])
def test_a_shift_of_no_time_at_all_is_refused(session, line, ana, start, end):
    with pytest.raises(roster.RosterError, match="lasts no time at all"):
        roster.add_local_shift(
            session, line=line, user=ana, day=date(2026, 6, 1), start=start, end=end, now=LONG_AGO
        )
    with pytest.raises(roster.RosterError, match="lasts no time at all"):
        roster.add_pattern(
            session, line=line, user=ana, weekday=0, start=start, end=end,
            starts_on=date(2026, 6, 1), today=date(2026, 6, 1),
        )  # fmt: skip


def test_a_whole_day_is_written_00_00_to_24_00(session, line, ana):
    shift = roster.add_local_shift(
        session, line=line, user=ana, day=date(2026, 6, 1), start="00:00", end="24:00", now=LONG_AGO
    )
    assert shift.ends_at - shift.starts_at == timedelta(hours=24)


def test_a_weekly_shift_that_already_ended_is_refused(session, line, ana):
    with pytest.raises(roster.RosterError, match="is in the past"):
        roster.add_pattern(
            session, line=line, user=ana, weekday=0, start="09:00", end="13:00",
            starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 29), today=date(2026, 6, 30),
        )  # fmt: skip


@BOTH
def test_a_new_shift_never_gets_the_id_of_one_cancelled(session, line, ana, bo):
    first = roster.add_local_shift(
        session, line=line, user=ana, day=date(2026, 6, 1), start="09:00", end="13:00", now=LONG_AGO
    )
    newest = roster.add_local_shift(
        session, line=line, user=bo, day=date(2026, 6, 1), start="09:00", end="13:00", now=LONG_AGO
    )
    session.commit()
    cancelled = newest.id
    roster.cancel_shift(session, newest)
    session.commit()
    again = roster.add_local_shift(
        session, line=line, user=bo, day=date(2026, 6, 2), start="09:00", end="13:00", now=LONG_AGO
    )
    session.commit()
    assert again.id > cancelled > first.id
