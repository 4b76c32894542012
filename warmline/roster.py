"""The roster: who answers which line when.

Coordinators think in the line's wall-clock time ("Tuesdays 18:00 to 22:00"); the database
keeps UTC. A weekly pattern is expanded into ordinary Shift rows, one local date at a time,
so a Tuesday 18:00 shift starts at 18:00 local before and after a daylight-saving change,
and everything that asks "who is on shift now" reads Shift rows alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from warmline import audit, people
from warmline.models import WEEKDAYS, Line, Shift, ShiftPattern, User, utcnow
from warmline.sentences import N_, Refusal

MAX_SHIFT = timedelta(hours=24)
# How far ahead a new pattern is expanded; `extend_patterns` keeps the horizon moving.
HORIZON = timedelta(weeks=8)
CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class RosterError(Refusal, ValueError):
    """A roster change that cannot be made, with a reason a coordinator can act on."""


@dataclass(frozen=True)
class Window:
    """A shift's local date and wall-clock times, and the UTC instants they stand for."""

    day: date
    start: str
    end: str
    starts_at: datetime
    ends_at: datetime


def zone(line: Line) -> ZoneInfo:
    return ZoneInfo(line.timezone)


def local_today(line: Line, at: datetime | None = None) -> date:
    return (at or utcnow()).astimezone(zone(line)).date()


def parse_clock(text: str, *, end: bool = False) -> time:
    """Read "HH:MM" (and "24:00" for an end), refusing anything else."""
    text = (text or "").strip()
    if end and text == "24:00":
        return time(0, 0)
    if not CLOCK.match(text):
        raise RosterError(N_("%(time)r is not a time of day like 18:00"), time=text[:10])
    return time.fromisoformat(text)


def local_window(
    line: Line, day: date, start: str, end: str, *, not_before: datetime | None = None
) -> Window:
    """Turn a local date and wall-clock start and end into UTC; an end before the start (or
    24:00) is on the next day, and an end equal to the start is refused as no time at all.

    A start inside the spring-forward gap (02:30 on the night clocks skip 02:00-03:00)
    begins at the first real moment after it, as zoneinfo's fold=0 does. A start the
    fall-back night repeats is its first reading, unless that has passed at `not_before`
    and the second has not: a coordinator adding a shift in the repeated hour means the one
    still to come. The 24-hour limit is on the wall clock, so a whole day's shift lasts 23
    or 25 real hours on the days the clocks change.
    """
    begins, finishes = parse_clock(start), parse_clock(end, end=True)
    if begins == finishes and end.strip() != "24:00":
        raise RosterError(
            N_(
                "a shift from %(start)s to %(end)s lasts no time at all; "
                "for a whole day, write 00:00 to 24:00"
            ),
            start=start.strip(),
            end=end.strip(),
        )
    tz = zone(line)
    end_day = day + timedelta(days=1) if finishes <= begins else day
    fold = 0
    starts_at = datetime.combine(day, begins, tzinfo=tz).astimezone(UTC)
    if not_before is not None and starts_at < not_before:
        later = datetime.combine(day, begins.replace(fold=1), tzinfo=tz).astimezone(UTC)
        fold = 1 if later >= not_before else 0
        starts_at = later if fold else starts_at
    ends_at = datetime.combine(end_day, finishes.replace(fold=fold), tzinfo=tz).astimezone(UTC)
    if ends_at <= starts_at:
        raise RosterError(N_("a shift must end after it starts"))
    return Window(day, start.strip(), end.strip(), starts_at, ends_at)


def describe(line: Line, shift: Shift) -> dict[str, str]:
    """Return a shift's local dates and times, as a coordinator reads them."""
    tz = zone(line)
    starts, ends = shift.starts_at.astimezone(tz), shift.ends_at.astimezone(tz)
    return {
        "date": starts.date().isoformat(),
        "start": starts.strftime("%H:%M"),
        "end": ends.strftime("%H:%M"),
        "end_date": ends.date().isoformat(),
        "timezone": line.timezone,
    }


def ends_next_day(line: Line, shift: Shift) -> bool:
    """Whether a shift ends on a later local date than it starts: overnight, or at midnight."""
    local = describe(line, shift)
    return local["end_date"] != local["date"]


def _check_length(starts_at: datetime, ends_at: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise RosterError(N_("shift times need a timezone"))
    if ends_at <= starts_at:
        raise RosterError(N_("a shift must end after it starts"))
    if ends_at - starts_at > MAX_SHIFT:
        raise RosterError(N_("a shift may last at most 24 hours"))


def _check_person(session: Session, line: Line, user: User) -> None:
    """Refuse to put on shift anyone but an active specialist of the line with a phone."""
    if not user.active:
        raise RosterError(N_("%(name)s is deactivated"), name=user.display_name)
    if not people.serves(session, user.id, line.id):
        raise RosterError(
            N_("%(name)s is not one of this line's specialists"), name=user.display_name
        )
    if not user.phone:
        raise RosterError(N_("%(name)s has no phone for offers to ring"), name=user.display_name)


def overlapping(
    session: Session,
    user: User,
    starts_at: datetime,
    ends_at: datetime,
    ignore: tuple[int, ...] = (),
) -> Shift | None:
    """Return a shift of `user` (on any line) that overlaps the window, if any."""
    query = select(Shift).where(
        Shift.user_id == user.id, Shift.starts_at < ends_at, Shift.ends_at > starts_at
    )
    if ignore:
        query = query.where(Shift.id.not_in(ignore))
    return session.scalars(query.limit(1)).first()


def _check_free(
    session: Session,
    user: User,
    starts_at: datetime,
    ends_at: datetime,
    ignore: tuple[int, ...] = (),
) -> None:
    if overlapping(session, user, starts_at, ends_at, ignore) is not None:
        raise RosterError(N_("%(name)s already has a shift at that time"), name=user.display_name)


def _record(
    session: Session,
    action: str,
    target_type: str,
    target_id: int | None,
    actor_id: int | None,
    via: str,
    **detail: Any,
) -> None:
    audit.record(session, action, target_type, target_id, actor_id=actor_id, via=via, detail=detail)


def add_shift(
    session: Session,
    *,
    line: Line,
    user: User,
    starts_at: datetime,
    ends_at: datetime,
    actor_id: int | None = None,
    via: str = "cli",
) -> Shift:
    """Roster `user` on `line` from `starts_at` to `ends_at` (aware datetimes) and audit it.

    This is the operator's way, acting as administrator: someone not yet one of the line's
    specialists becomes one (audited) rather than be refused.
    """
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("shift times need a timezone")
    _check_length(starts_at, ends_at)
    if user.active and not people.serves(session, user.id, line.id):
        served = people.lines_served(session, user.id) | {line.id}
        people.set_lines(session, user, served, actor_id=actor_id, via=via)
    _check_person(session, line, user)
    shift = Shift(line=line, user=user, starts_at=starts_at, ends_at=ends_at)
    session.add(shift)
    session.flush()
    _record(
        session, "shift.add", "shift", shift.id, actor_id, via, line_id=line.id, user_id=user.id
    )
    return shift


def add_local_shift(
    session: Session,
    *,
    line: Line,
    user: User,
    day: date,
    start: str,
    end: str,
    now: datetime,
    actor_id: int | None = None,
    via: str = "console",
) -> Shift:
    """Roster a one-off shift given in the line's wall-clock time, still to start at `now`;
    refuse double booking."""
    _check_person(session, line, user)
    window = local_window(line, day, start, end, not_before=now)
    if window.starts_at < now:
        raise RosterError(
            N_(
                "a shift starting %(day)s %(start)s (%(timezone)s) is in the past; "
                "add shifts that are still to come"
            ),
            day=day.isoformat(),
            start=window.start,
            timezone=line.timezone,
        )
    _check_free(session, user, window.starts_at, window.ends_at)
    shift = Shift(line=line, user=user, starts_at=window.starts_at, ends_at=window.ends_at)
    session.add(shift)
    session.flush()
    _record(
        session,
        "shift.add",
        "shift",
        shift.id,
        actor_id,
        via,
        line_id=line.id,
        user_id=user.id,
        date=day.isoformat(),
        start=window.start,
        end=window.end,
    )
    return shift


def add_pattern(
    session: Session,
    *,
    line: Line,
    user: User,
    weekday: int,
    start: str,
    end: str,
    starts_on: date,
    ends_on: date | None = None,
    actor_id: int | None = None,
    via: str = "console",
    today: date | None = None,
) -> ShiftPattern:
    """Roster `user` every week on `weekday` (0 = Monday) in local time and expand it."""
    _check_person(session, line, user)
    if weekday not in range(7):
        raise RosterError(N_("the weekday must be 0 (Monday) to 6 (Sunday)"))
    if ends_on is not None and ends_on < starts_on:
        raise RosterError(N_("a pattern must end on or after the day it starts"))
    if ends_on is not None and ends_on < (today or local_today(line)):
        raise RosterError(
            N_("a weekly shift that ended on %(day)s is in the past"), day=ends_on.isoformat()
        )
    local_window(line, starts_on, start, end)  # validates the times and the length
    pattern = ShiftPattern(
        line_id=line.id,
        user_id=user.id,
        weekday=weekday,
        start_time=start.strip(),
        end_time=end.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        skipped=[],
    )
    session.add(pattern)
    session.flush()
    _record(
        session,
        "pattern.add",
        "shift_pattern",
        pattern.id,
        actor_id,
        via,
        line_id=line.id,
        user_id=user.id,
        weekday=WEEKDAYS[weekday],
        start=pattern.start_time,
        end=pattern.end_time,
        starts_on=starts_on.isoformat(),
        ends_on=ends_on.isoformat() if ends_on else None,
    )
    first = max(starts_on, today or local_today(line))
    expand_pattern(session, pattern, line=line, start=first, until=first + HORIZON)
    return pattern


def occurrences(pattern: ShiftPattern, start: date, until: date) -> list[date]:
    """List the local dates in [start, until) the pattern falls on, less cancelled ones."""
    first = max(start, pattern.starts_on)
    first += timedelta(days=(pattern.weekday - first.weekday()) % 7)
    days = []
    while first < until and (pattern.ends_on is None or first <= pattern.ends_on):
        if first.isoformat() not in pattern.skipped:
            days.append(first)
        first += timedelta(weeks=1)
    return days


def expand_pattern(
    session: Session, pattern: ShiftPattern, *, line: Line, start: date, until: date
) -> list[Shift]:
    """Make the pattern's missing shifts for local dates in [start, until); return them.

    A date that already has its shift (perhaps swapped to someone else) is left alone, and
    the unique (pattern, occurrence) constraint stops two expansions racing.
    """
    user = session.get(User, pattern.user_id)
    if user is None or not user.active or not people.serves(session, user.id, line.id):
        return []
    made = set(
        session.scalars(
            select(Shift.occurrence).where(
                Shift.pattern_id == pattern.id, Shift.occurrence >= start, Shift.occurrence < until
            )
        )
    )
    shifts = []
    for day in occurrences(pattern, start, until):
        if day in made:
            continue
        window = local_window(line, day, pattern.start_time, pattern.end_time)
        if overlapping(session, user, window.starts_at, window.ends_at) is not None:
            continue  # someone swapped a shift onto them then: that one stands
        shift = Shift(
            line=line,
            user=user,
            starts_at=window.starts_at,
            ends_at=window.ends_at,
            pattern_id=pattern.id,
            occurrence=day,
        )
        session.add(shift)
        shifts.append(shift)
    session.flush()
    return shifts


def extend_patterns(
    session: Session, *, line: Line, until: date | None = None, today: date | None = None
) -> int:
    """Expand every pattern of the line up to `until` (default: HORIZON ahead); count shifts.

    Run it when the roster is looked at and from the clock, so patterns never run dry.
    """
    today = today or local_today(line)
    until = until or today + HORIZON
    count = 0
    patterns = session.scalars(select(ShiftPattern).where(ShiftPattern.line_id == line.id))
    for pattern in patterns:
        count += len(expand_pattern(session, pattern, line=line, start=today, until=until))
    return count


def end_pattern(
    session: Session,
    pattern: ShiftPattern,
    *,
    line: Line,
    last_day: date,
    actor_id: int | None = None,
    via: str = "console",
) -> int:
    """Stop a pattern after `last_day`; remove the shifts it made after that. Return how many."""
    if last_day < pattern.starts_on - timedelta(days=1):
        raise RosterError(N_("a pattern cannot end before it starts"))
    pattern.ends_on = last_day
    removed = session.execute(
        delete(Shift).where(
            Shift.pattern_id == pattern.id,
            Shift.occurrence > last_day,
            # Shifts already started are the staffing record reports read: keep them.
            Shift.starts_at > utcnow(),
        )
    ).rowcount
    _record(
        session,
        "pattern.end",
        "shift_pattern",
        pattern.id,
        actor_id,
        via,
        line_id=line.id,
        last_day=last_day.isoformat(),
        shifts_removed=removed,
    )
    session.flush()
    return removed


def cancel_shift(
    session: Session, shift: Shift, *, actor_id: int | None = None, via: str = "console"
) -> None:
    """Take a shift off the roster; a pattern's shift stays cancelled when it is expanded again."""
    line = session.get(Line, shift.line_id)
    assert line is not None
    if shift.pattern_id is not None and shift.occurrence is not None:
        pattern = session.get(ShiftPattern, shift.pattern_id)
        if pattern is not None:
            pattern.skipped = sorted({*pattern.skipped, shift.occurrence.isoformat()})
    _record(
        session,
        "shift.cancel",
        "shift",
        shift.id,
        actor_id,
        via,
        line_id=shift.line_id,
        user_id=shift.user_id,
        **describe(line, shift),
    )
    session.delete(shift)
    session.flush()


def reassign_shift(
    session: Session, shift: Shift, to: User, *, actor_id: int | None = None, via: str = "console"
) -> Shift:
    """Give a shift to someone else (cover), refusing to double-book them."""
    _check_person(session, shift.line, to)
    if to.id == shift.user_id:
        raise RosterError(N_("%(name)s already has this shift"), name=to.display_name)
    _check_free(session, to, shift.starts_at, shift.ends_at, ignore=(shift.id,))
    before = shift.user_id
    shift.user_id = to.id
    _record(
        session,
        "shift.reassign",
        "shift",
        shift.id,
        actor_id,
        via,
        line_id=shift.line_id,
        from_user_id=before,
        to_user_id=to.id,
    )
    session.flush()
    return shift


def swap_shifts(
    session: Session,
    first: Shift,
    second: Shift,
    *,
    actor_id: int | None = None,
    via: str = "console",
) -> None:
    """Exchange the people on two shifts of one line, refusing to double-book either."""
    if first.id == second.id or first.user_id == second.user_id:
        raise RosterError(N_("a swap needs two shifts held by two different people"))
    if first.line_id != second.line_id:
        raise RosterError(N_("both shifts must be on the same line"))
    one, other = session.get(User, first.user_id), session.get(User, second.user_id)
    assert one is not None and other is not None
    _check_person(session, first.line, one)
    _check_person(session, first.line, other)
    ignore = (first.id, second.id)
    _check_free(session, other, first.starts_at, first.ends_at, ignore)
    _check_free(session, one, second.starts_at, second.ends_at, ignore)
    first.user_id, second.user_id = other.id, one.id
    _record(
        session,
        "shift.swap",
        "shift",
        first.id,
        actor_id,
        via,
        line_id=first.line_id,
        shifts=[first.id, second.id],
        users=[one.id, other.id],
    )
    session.flush()


def shifts_between(
    session: Session, line_id: int, starts_at: datetime, ends_at: datetime
) -> list[Shift]:
    """Return the line's shifts overlapping [starts_at, ends_at), earliest first."""
    return list(
        session.scalars(
            select(Shift)
            .where(Shift.line_id == line_id, Shift.starts_at < ends_at, Shift.ends_at > starts_at)
            .order_by(Shift.starts_at, Shift.id)
        )
    )


def next_shifts(session: Session, user_id: int, at: datetime, limit: int) -> list[Shift]:
    """Return someone's shifts that have not ended at `at`, on any line, earliest first."""
    return list(
        session.scalars(
            select(Shift)
            .where(Shift.user_id == user_id, Shift.ends_at > at)
            .order_by(Shift.starts_at, Shift.id)
            .limit(limit)
        )
    )


def lines_rostered(session: Session, user_id: int, at: datetime) -> list[Line]:
    """Return the lines someone has a shift on at `at`, by name."""
    query = (
        select(Line)
        .order_by(Line.name)
        .join(Shift, Shift.line_id == Line.id)
        .where(Shift.user_id == user_id, Shift.starts_at <= at, Shift.ends_at > at)
    )
    return list(session.scalars(query).unique())


def patterns_of(session: Session, line_id: int) -> list[ShiftPattern]:
    """Return the line's weekly shifts, by weekday and start."""
    return list(
        session.scalars(
            select(ShiftPattern)
            .where(ShiftPattern.line_id == line_id)
            .order_by(ShiftPattern.weekday, ShiftPattern.start_time)
        )
    )


def local_day_bounds(line: Line, first: date, last: date) -> tuple[datetime, datetime]:
    """Return the UTC instants of local midnight at the start of `first` and after `last`."""
    tz = zone(line)
    return (
        datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC),
        datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC),
    )
