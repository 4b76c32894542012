"""Coverage: how many specialists are on shift in each local hour of a week, against the
line's minimum, and where the gaps are.

Hours are wall-clock hours in the line's timezone. On the night clocks go forward one
local hour does not exist; on the night they go back one lasts two real hours. Each hour
counts the fewest specialists on shift at any quarter hour inside it, so a shift that
ends at 21:30 leaves 21:00-22:00 short.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from warmline import lines, roster
from warmline.models import Line, Shift

STEP = timedelta(minutes=15)


@dataclass(frozen=True)
class Hour:
    """One local hour of the week."""

    day: date
    hour: int
    starts_at: datetime
    ends_at: datetime
    on_shift: int
    open: bool
    needed: int

    @property
    def exists(self) -> bool:
        """False for the hour the clocks skip."""
        return self.ends_at > self.starts_at

    @property
    def gap(self) -> bool:
        return self.exists and self.open and self.on_shift < self.needed


@dataclass(frozen=True)
class Week:
    """A week's coverage grid: seven days of 24 local hours."""

    line_id: int
    monday: date
    timezone: str
    min_specialists: int
    hours: list[Hour] = field(default_factory=list)

    @property
    def gaps(self) -> list[Hour]:
        return [hour for hour in self.hours if hour.gap]

    def day(self, offset: int) -> list[Hour]:
        return self.hours[offset * 24 : (offset + 1) * 24]


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _hour_bounds(line: Line, day: date, hour: int) -> tuple[datetime, datetime]:
    tz = roster.zone(line)
    start = datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC)
    if hour == 23:
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    else:
        end = datetime.combine(day, time(hour + 1), tzinfo=tz).astimezone(UTC)
    return start, end


def _fewest_on_shift(shifts: list[Shift], start: datetime, end: datetime) -> int:
    fewest = None
    moment = start
    while moment < end:
        count = len({s.user_id for s in shifts if s.starts_at <= moment < s.ends_at})
        fewest = count if fewest is None else min(fewest, count)
        moment += STEP
    return fewest or 0


def _open(line: Line, start: datetime, end: datetime) -> bool:
    moment = start
    while moment < end:
        if lines.is_open(line, moment):
            return True
        moment += STEP
    return False


def week(session: Session, line: Line, monday: date) -> Week:
    """Return the coverage grid of the local week starting on `monday`."""
    monday = monday_of(monday)
    first, last = roster.local_day_bounds(line, monday, monday + timedelta(days=6))
    shifts = roster.shifts_between(session, line.id, first, last)
    hours = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        for hour in range(24):
            start, end = _hour_bounds(line, day, hour)
            here = [s for s in shifts if s.starts_at < end and s.ends_at > start]
            hours.append(
                Hour(
                    day=day,
                    hour=hour,
                    starts_at=start,
                    ends_at=max(start, end),
                    on_shift=_fewest_on_shift(here, start, end),
                    open=_open(line, start, end),
                    needed=line.min_specialists,
                )
            )
    return Week(line.id, monday, line.timezone, line.min_specialists, hours)
