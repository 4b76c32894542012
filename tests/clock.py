"""Frozen instants for the tests of the line's clock: every hour of a day, in three zones.

Each zone has an ordinary day and the two days its clocks change in 2026: spring forward
(a day of 23 hours) and fall back (25). New York changes at 02:00 local, Madrid at 02:00
and 03:00, Sydney (southern hemisphere) falls back in April and springs forward in October.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_skeleton, format_time

# zone: (an ordinary day, the spring-forward day, the fall-back day), all Sundays but the first.
DAYS = {
    "America/New_York": (date(2026, 12, 2), date(2026, 3, 8), date(2026, 11, 1)),
    "Europe/Madrid": (date(2026, 6, 17), date(2026, 3, 29), date(2026, 10, 25)),
    "Australia/Sydney": (date(2026, 8, 12), date(2026, 10, 4), date(2026, 4, 5)),
}
KINDS = ("ordinary", "spring forward", "fall back")
HOURS_LONG = {"ordinary": 24, "spring forward": 23, "fall back": 25}

EVERY_DAY = pytest.mark.parametrize(
    ("zone", "day", "kind"),
    [
        (zone, day, kind)
        for zone, days in DAYS.items()
        for day, kind in zip(days, KINDS, strict=True)
    ],
    ids=[f"{zone.split('/')[1]}-{kind}" for zone in DAYS for kind in KINDS],
)
# Every zone's every day, for the tests that loop over them in one database.
ALL_DAYS = [(zone, day) for zone, days in DAYS.items() for day in days]
# The clock-change days alone, for the slower tests that touch a database.
CHANGE_DAYS = pytest.mark.parametrize(
    ("zone", "day", "kind"),
    [(zone, days[index], KINDS[index]) for zone, days in DAYS.items() for index in (1, 2)],
    ids=[f"{zone.split('/')[1]}-{KINDS[index]}" for zone in DAYS for index in (1, 2)],
)


def midnight(zone: str, day: date) -> datetime:
    """Return the UTC instant a local date begins."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def instants(zone: str, day: date, step: timedelta = timedelta(hours=1)) -> list[datetime]:
    """Return UTC instants `step` apart through a local day, then its last minute.

    Whole real hours from local midnight: 23 on a spring-forward day, 25 on a fall-back day.
    """
    start, end = midnight(zone, day), midnight(zone, day + timedelta(days=1))
    count = int((end - start) / step)
    return [start + step * index for index in range(count)] + [end - timedelta(minutes=1)]


def local(zone: str, at: datetime) -> datetime:
    return at.astimezone(ZoneInfo(zone))


def zone_at_noon(at: datetime) -> str:
    """Name a fixed-offset zone where `at` falls between 12:00 and 13:00, far from midnight.

    For tests of whole processes, which run on the real clock: a line there keeps "today"
    whole for the minutes a test takes, whatever the hour it runs at.
    """
    offset = 12 - at.astimezone(UTC).hour
    return f"Etc/GMT{-offset:+d}"


# How the console writes dates and times for a reader of English, as Babel's CLDR data has it
# (a narrow no-break space before AM and PM): what a test expects a page to show.
def shown_date(day: date, locale: str = "en") -> str:
    """Write a date as a heading does: "May 18, 2026"."""
    return format_date(day, "medium", locale=locale)


def shown_weekday_date(day: date, locale: str = "en") -> str:
    """Write a date with its weekday, as a shift's row does: "Mon, May 18, 2026"."""
    return format_skeleton("yMMMEd", day, locale=locale)


def shown_clock(text: str, locale: str = "en") -> str:
    """Write a time of day typed as HH:MM as a shift's row does: "6:00 PM"."""
    return format_time(time.fromisoformat(text), "short", locale=locale)
