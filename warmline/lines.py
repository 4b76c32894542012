"""Lines: the Twilio numbers this deployment answers, their settings and opening hours."""

from __future__ import annotations

import logging
import time as clock
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import chain
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import redis
from sqlalchemy import event, select
from sqlalchemy.orm import Session, selectinload, sessionmaker
from sqlalchemy.orm.util import identity_key

from warmline import audit
from warmline.crisis import detect
from warmline.models import (
    WEEKDAYS,
    Line,
    LineCoordinator,
    LineScript,
    Role,
    RoutingStrategy,
    User,
)
from warmline.phones import to_e164
from warmline.sentences import N_, Refused

log = logging.getLogger(__name__)
# The Redis key every process reads to learn that some line changed: a new token per change.
LINES_VERSION_KEY = "warmline:lines:version"
# How often a process asks Redis whether lines changed, and how long it keeps a line at most
# (a change whose news never reached Redis is seen by then).
LINES_CHECK_SECONDS = 1.0
LINES_MAX_AGE_SECONDS = 60.0


class LineExists(Refused):
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
    # Whether supervisors may listen in: the greeting then says so.
    monitoring_enabled: bool = False
    # The line's own referral scripts, by (kind, channel, language).
    scripts: Mapping[tuple[str, str, str], str] = field(default_factory=dict)
    # The voice chosen for each language; one left out is read in its default voice.
    voices: Mapping[str, str] = field(default_factory=dict)

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
        monitoring_enabled=line.monitoring_enabled,
        scripts=MappingProxyType({(s.kind, s.channel, s.language): s.text for s in line.scripts}),
        voices=MappingProxyType(dict(line.voices)),
    )


def voices_of(session: Session, line_id: int) -> Mapping[str, str]:
    """Return the voices a line chose, by language; none for a line that is gone."""
    line = session.get(Line, line_id)
    return MappingProxyType(dict(line.voices) if line else {})


def add_line(
    session: Session, *, name: str, twilio_number: str, actor_id: int | None = None, **fields: Any
) -> Line:
    """Create a line for a Twilio number and audit it."""
    number = to_e164(twilio_number)
    if find_line(session, number) is not None:
        raise LineExists(N_("a line already answers that Twilio number"))
    line = Line(name=name.strip(), twilio_number=number, **fields)
    session.add(line)
    session.flush()
    audit.record(
        session, "line.add", "line", line.id, actor_id=actor_id, detail={"name": line.name}
    )
    return line


@dataclass(frozen=True)
class LineSettings:
    """Everything a coordinator sets for a line on the console's settings page."""

    name: str
    opening_hours: dict[str, list[list[str]]]
    holidays: list[str]
    languages: list[str]
    voices: dict[str, str]
    routing_strategy: RoutingStrategy
    crisis_number: str
    overflow_number: str | None
    wrap_up_topics: list[str]
    crisis_terms: dict[str, list[str]]
    ring_timeout_seconds: int
    wrap_up_seconds: int
    max_wait_seconds: int
    daily_contact_limit: int
    retention_days: int
    max_texts_per_specialist: int
    min_specialists: int
    twilio_opt_out: bool
    crisis_carry_hours: int
    survey_enabled: bool
    survey_asks_return: bool
    survey_window_hours: int
    recovery_seconds: int
    long_call_minutes: int
    contacts_before_break: int
    monitoring_enabled: bool
    callbacks_enabled: bool
    max_pending_callbacks: int
    callback_retry_seconds: int


def update_settings(
    session: Session, line: Line, settings: LineSettings, *, actor_id: int | None, via: str
) -> dict[str, list[Any]]:
    """Give the line new settings, auditing what changed; return the changes."""
    try:
        detect("", extra_terms=settings.crisis_terms)
    except ValueError as error:
        raise audit.FieldRefused(
            "crisis_terms", N_("crisis terms: %(problem)s"), problem=error
        ) from None
    return audit.update(
        session,
        line,
        settings,
        action="line.update",
        target_type="line",
        actor_id=actor_id,
        via=via,
        line_id=line.id,
    )


def coordinators_of(session: Session, line_id: int) -> list[User]:
    """Return the coordinators who run the line, by name."""
    return list(
        session.scalars(
            select(User)
            .join(LineCoordinator, LineCoordinator.user_id == User.id)
            .where(LineCoordinator.line_id == line_id)
            .order_by(User.display_name)
        )
    )


def _coordinator_link(session: Session, line: Line, user: User) -> LineCoordinator | None:
    return session.scalar(
        select(LineCoordinator).where(
            LineCoordinator.line_id == line.id, LineCoordinator.user_id == user.id
        )
    )


def _record_coordinator(
    session: Session, action: str, line: Line, user: User, actor_id: int | None, via: str
) -> None:
    audit.record(
        session,
        action,
        "line",
        line.id,
        actor_id=actor_id,
        via=via,
        detail={"line_id": line.id, "user_id": user.id},
    )


def assign_coordinator(
    session: Session, line: Line, user: User, *, actor_id: int | None = None, via: str = "console"
) -> LineCoordinator:
    """Make `user` (a coordinator) a coordinator of `line`, audited; idempotent."""
    if user.role != Role.COORDINATOR:
        raise Refused(N_("only a coordinator can be given a line to run"))
    link = _coordinator_link(session, line, user)
    if link is None:
        link = LineCoordinator(line_id=line.id, user_id=user.id)
        session.add(link)
        session.flush()
        _record_coordinator(session, "line.coordinator_add", line, user, actor_id, via)
    return link


def unassign_coordinator(
    session: Session, line: Line, user: User, *, actor_id: int | None = None, via: str = "console"
) -> bool:
    """Stop `user` coordinating `line`, audited; return whether they did."""
    link = _coordinator_link(session, line, user)
    if link is None:
        return False
    session.delete(link)
    _record_coordinator(session, "line.coordinator_remove", line, user, actor_id, via)
    session.flush()
    return True


def find_line(session: Session, twilio_number: str) -> Line | None:
    """Return the line that answers `twilio_number`, if any, with its scripts."""
    try:
        number = to_e164(twilio_number)
    except ValueError:
        return None
    return session.scalar(
        select(Line).where(Line.twilio_number == number).options(selectinload(Line.scripts))
    )


@dataclass(frozen=True)
class _Kept:
    line: Line
    # The lines' version this process knew before it read the line, and when it read it.
    version: bytes | None
    read_at: float


class LineCache:
    """The lines by Twilio number, kept in this process for the webhooks that look one up on
    every request.

    Any process that commits a change to a line or its scripts puts a new token under one
    Redis key (`watch`); every process reads that key at most every `check_seconds` and
    forgets the lines it read under an older one, so a change reaches every process on every
    host within about `check_seconds`. A line is kept `max_age_seconds` at most, should a
    change's token not reach Redis; while Redis cannot be read, lines come from the database.
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        check_seconds: float = LINES_CHECK_SECONDS,
        max_age_seconds: float = LINES_MAX_AGE_SECONDS,
        now: Callable[[], float] = clock.monotonic,
    ) -> None:
        self._client = client
        self._check_seconds = check_seconds
        self._max_age_seconds = max_age_seconds
        self._now = now
        self._kept: dict[str, _Kept] = {}
        self._version: bytes | None = None
        self._known = False
        self._checked_at = -check_seconds

    def find(self, session: Session, twilio_number: str) -> Line | None:
        """Return the line that answers `twilio_number`, in `session`, as `find_line` would."""
        now = self._now()
        if not self._current(now):
            return find_line(session, twilio_number)
        kept = self._kept.get(twilio_number)
        if (
            kept is None
            or kept.version != self._version
            or now - kept.read_at >= self._max_age_seconds
        ):
            version = self._version
            # Read on the session's connection, in a session of its own: the line kept
            # belongs to no request.
            with Session(bind=session.connection()) as reading:
                line = find_line(reading, twilio_number)
            if line is None:
                return None
            kept = self._kept[twilio_number] = _Kept(line, version, now)
        # A line the session holds already is its own, as fresh as its transaction.
        held = session.identity_map.get(identity_key(Line, kept.line.id))
        return held if held is not None else session.merge(kept.line, load=False)

    def changed(self) -> None:
        """Tell every process that a line changed; this one forgets its lines at once."""
        token = uuid.uuid4().hex.encode()
        self._version = token
        self._kept.clear()
        try:
            self._client.set(LINES_VERSION_KEY, token)
        except redis.RedisError:
            log.warning("could not tell other processes that a line changed; they see it soon")

    def watch(self, sessions: sessionmaker[Session]) -> None:
        """Call `changed` after every commit of `sessions` that changed a line or its scripts."""
        event.listen(sessions, "after_flush", _note_line_changes)
        event.listen(sessions, "after_commit", self._after_commit)
        event.listen(sessions, "after_rollback", _forget_line_changes)

    def _after_commit(self, session: Session) -> None:
        if session.info.pop(_LINES_CHANGED, False):
            self.changed()

    def _current(self, now: float) -> bool:
        """Bring the lines' version up to date when due; False while it cannot be known."""
        if now - self._checked_at < self._check_seconds:
            return self._known
        self._checked_at = now
        try:
            version = self._client.get(LINES_VERSION_KEY)
        except redis.RedisError:
            # A change made meanwhile may never be announced: start afresh once Redis is back.
            self._known = False
            self._kept.clear()
            return False
        if version != self._version or not self._known:
            self._kept.clear()
        self._version, self._known = version, True
        return True


_LINES_CHANGED = "warmline.lines_changed"


def _note_line_changes(session: Session, _flush_context: Any) -> None:
    # A new line needs no news: no process keeps a number no line answered.
    changed = chain(session.dirty, session.deleted)
    if any(isinstance(item, Line | LineScript) for item in changed) or any(
        isinstance(item, LineScript) for item in session.new
    ):
        session.info[_LINES_CHANGED] = True


def _forget_line_changes(session: Session) -> None:
    session.info.pop(_LINES_CHANGED, None)


def _ranges(line: Line, day: date) -> list[tuple[time, time | None]]:
    """Return a local date's opening ranges (none on a holiday); None closes at midnight."""
    if day.isoformat() in line.holidays:
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
        for opens, closes in _ranges(line, local.date())
    )


def next_opening(line: Line, after: datetime) -> datetime | None:
    """Return when the line next opens, in its timezone, within a week.

    Instants are compared in UTC, so the hour a fall-back night repeats is not taken for the
    earlier one. An opening inside the hour clocks skip is the real moment zoneinfo gives it
    (02:30 on a spring-forward night opens at 03:30), so a caller is told a time the clock
    shows.
    """
    zone = ZoneInfo(line.timezone)
    today = after.astimezone(zone).date()
    for offset in range(8):
        day = today + timedelta(days=offset)
        for opens, _closes in sorted(_ranges(line, day)):
            start = datetime.combine(day, opens, tzinfo=zone).astimezone(UTC)
            if start > after:
                return start.astimezone(zone)
    return None


def open_until(line: Line, at: datetime) -> datetime | None:
    """Return when the line's opening hours around `at` end; None when closed now or open all week.

    A range closing at midnight runs on into the next day's range opening at midnight.
    """
    zone = ZoneInfo(line.timezone)
    local = at.astimezone(zone)
    day, moment = local.date(), local.time().replace(tzinfo=None)
    current = [c for o, c in _ranges(line, day) if o <= moment and (c is None or moment < c)]
    if not current:
        return None
    for _ in range(8):
        closes = current[0]
        if closes is not None:
            return datetime.combine(day, closes, tzinfo=zone)
        day += timedelta(days=1)
        current = [c for o, c in _ranges(line, day) if o == time(0, 0)]
        if not current:
            return datetime.combine(day, time(0, 0), tzinfo=zone)
    return None
