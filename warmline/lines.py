"""Lines: the Twilio numbers this deployment answers, their settings and opening hours."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from warmline import audit
from warmline.models import WEEKDAYS, Line
from warmline.phones import to_e164


class LineExists(ValueError):
    """Another line already answers that number."""


@dataclass(frozen=True)
class LineContext:
    """What a webhook needs to answer for a line, even later without the database."""

    id: int
    name: str
    twilio_number: str
    crisis_number: str
    overflow_number: str | None
    languages: tuple[str, ...]
    speech_enabled: bool
    hold_music_url: str | None
    # The line's own referral scripts, by (kind, channel, language).
    scripts: Mapping[tuple[str, str, str], str] = field(default_factory=dict)

    @property
    def onward_number(self) -> str:
        """Where a caller goes when nobody here can answer: overflow, else the crisis line."""
        return self.overflow_number or self.crisis_number


def context(line: Line) -> LineContext:
    return LineContext(
        id=line.id,
        name=line.name,
        twilio_number=line.twilio_number,
        crisis_number=line.crisis_number,
        overflow_number=line.overflow_number,
        languages=tuple(line.languages),
        speech_enabled=line.speech_enabled,
        hold_music_url=line.hold_music_url,
        scripts=MappingProxyType({(s.kind, s.channel, s.language): s.text for s in line.scripts}),
    )


def add_line(
    session: Session, *, name: str, twilio_number: str, actor_id: int | None = None, **fields: Any
) -> Line:
    """Create a line for a Twilio number and audit it."""
    number = to_e164(twilio_number)
    if find_line(session, number) is not None:
        raise LineExists("a line already answers that Twilio number")
    line = Line(name=name.strip(), twilio_number=number, **fields)
    session.add(line)
    session.flush()
    audit.record(
        session, "line.add", "line", line.id, actor_id=actor_id, detail={"name": line.name}
    )
    return line


def find_line(session: Session, twilio_number: str) -> Line | None:
    """Return the line that answers `twilio_number`, if any."""
    try:
        number = to_e164(twilio_number)
    except ValueError:
        return None
    return session.scalar(select(Line).where(Line.twilio_number == number))


def _ranges(line: Line, day: datetime) -> list[tuple[time, time | None]]:
    """Return the day's opening ranges (none on a holiday); None closes at midnight."""
    if day.date().isoformat() in line.holidays:
        return []
    ranges = []
    for opens, closes in line.opening_hours.get(WEEKDAYS[day.weekday()], []):
        end = None if closes == "24:00" else time.fromisoformat(closes)
        ranges.append((time.fromisoformat(opens), end))
    return ranges


def is_open(line: Line, at: datetime) -> bool:
    """Return whether `at` falls in the line's opening hours, in the line's timezone."""
    local = at.astimezone(ZoneInfo(line.timezone))
    moment = local.time().replace(tzinfo=None)
    return any(
        opens <= moment and (closes is None or moment < closes)
        for opens, closes in _ranges(line, local)
    )


def next_opening(line: Line, after: datetime) -> datetime | None:
    """Return when the line next opens, in its timezone, within a week."""
    zone = ZoneInfo(line.timezone)
    local = after.astimezone(zone)
    for offset in range(8):
        day = local + timedelta(days=offset)
        for opens, _closes in sorted(_ranges(line, day)):
            start = datetime.combine(day.date(), opens, tzinfo=zone)
            if start > local:
                return start
    return None
