"""The coverage grid counts specialists per local hour against the line's minimum."""

from __future__ import annotations

from datetime import date

from tests.console.conftest import BOTH
from tests.factories import LONG_AGO
from warmline import coverage, roster

SPRING_FORWARD_WEEK = date(2026, 3, 2)
FALL_BACK_WEEK = date(2026, 10, 26)


@BOTH
def test_gaps_are_open_hours_below_the_minimum(session, line, ana, bo):
    line.opening_hours = {"mon": [["09:00", "17:00"]]}
    line.min_specialists = 2
    monday = date(2026, 6, 1)
    roster.add_local_shift(
        session, now=LONG_AGO, line=line, user=ana, day=monday, start="09:00", end="17:00"
    )
    roster.add_local_shift(
        session, now=LONG_AGO, line=line, user=bo, day=monday, start="09:00", end="12:30"
    )
    session.commit()
    grid = coverage.week(session, line, monday)
    monday_hours = grid.day(0)
    assert [h.on_shift for h in monday_hours[9:17]] == [2, 2, 2, 1, 1, 1, 1, 1]
    assert [(h.day, h.hour) for h in grid.gaps] == [(monday, hour) for hour in range(12, 17)]
    assert not monday_hours[8].open and not monday_hours[8].gap
    assert len(grid.hours) == 168


@BOTH
def test_the_skipped_hour_is_not_a_gap_and_the_repeated_hour_counts(session, line, ana):
    line.opening_hours = {day: [["00:00", "24:00"]] for day in ("sun",)}
    roster.add_local_shift(
        session, now=LONG_AGO, line=line, user=ana, day=date(2026, 3, 8), start="00:00", end="06:00"
    )
    session.commit()
    spring = coverage.week(session, line, SPRING_FORWARD_WEEK).day(6)
    assert not spring[2].exists and not spring[2].gap
    assert [h.on_shift for h in spring[:6]] == [1, 1, 0, 1, 1, 1]
    roster.add_local_shift(
        session,
        now=LONG_AGO,
        line=line,
        user=ana,
        day=date(2026, 11, 1),
        start="00:00",
        end="03:00",
    )
    session.commit()
    autumn = coverage.week(session, line, FALL_BACK_WEEK).day(6)
    assert (autumn[1].ends_at - autumn[1].starts_at).total_seconds() == 7200
    assert [h.on_shift for h in autumn[:4]] == [1, 1, 1, 0]
