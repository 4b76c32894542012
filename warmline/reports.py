"""Reports from non-identifying contact metadata only: how the line is doing.

The database does the counting it does the same way on SQLite and PostgreSQL (GROUP BY
over plain columns); bucketing by the line's local hour and weekday, percentiles and time
differences are done here in Python, because those are exactly the SQL functions the two
databases disagree on. No report reads a caller tag except to count repeats, and none
returns one.

Definitions:
- *reached the line*: every contact except those turned away before queueing (after
  hours, blocked, over the daily limit, opted out) and those still open;
- *answer rate*: of those, the share connected to a specialist;
- *abandonment*: of those, the share who hung up while waiting;
- *repeat-contact share*: of contacts with a caller tag, the share whose tag made more
  than one contact in the period;
- *callbacks made*: contacts the line called back at least once, after they asked on hold;
  *reached*: of those, the ones put through to a specialist;
- *evenness*: 1 minus the Gini coefficient of contacts answered per staffed hour across
  the specialists who had shifts (1 = perfectly even).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warmline import roster
from warmline.models import WEEKDAYS, Channel, Contact, Line, Outcome, Shift, User

TURNED_AWAY = frozenset(
    {Outcome.AFTER_HOURS, Outcome.BLOCKED, Outcome.LIMITED, Outcome.OPTED_OUT, Outcome.OPEN}
)
MAX_DAYS = 366


@dataclass(frozen=True)
class SpecialistLoad:
    user_id: int
    name: str
    contacts: int
    talk_minutes: float
    staffed_hours: float

    @property
    def per_staffed_hour(self) -> float | None:
        return round(self.contacts / self.staffed_hours, 2) if self.staffed_hours else None


@dataclass
class Report:
    """Everything the reports page shows for one line and one local date range."""

    line_id: int
    first: date
    last: date
    timezone: str
    total: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    reached: int = 0
    answered: int = 0
    abandoned: int = 0
    wait_p50: float | None = None
    wait_p90: float | None = None
    talk_mean_minutes: float | None = None
    talk_p50_minutes: float | None = None
    crisis_flagged: int = 0
    crisis_referrals: int = 0
    referral_p50_seconds: float | None = None
    referral_p90_seconds: float | None = None
    repeat_contacts: int = 0
    tagged_contacts: int = 0
    callbacks_requested: int = 0
    callbacks_made: int = 0
    callbacks_reached: int = 0
    # [channel][local hour 0-23] and [channel][local date]
    per_hour: dict[str, list[int]] = field(default_factory=dict)
    per_day: dict[str, dict[str, int]] = field(default_factory=dict)
    load: list[SpecialistLoad] = field(default_factory=list)
    # hour of week, Monday 00:00 = 0: contacts arrived and specialist-hours rostered.
    demand: list[int] = field(default_factory=lambda: [0] * 168)
    staffed: list[float] = field(default_factory=lambda: [0.0] * 168)

    @property
    def answer_rate(self) -> float | None:
        return _share(self.answered, self.reached)

    @property
    def abandonment(self) -> float | None:
        return _share(self.abandoned, self.reached)

    @property
    def repeat_share(self) -> float | None:
        return _share(self.repeat_contacts, self.tagged_contacts)

    @property
    def blocked(self) -> int:
        return self.by_outcome.get(Outcome.BLOCKED.value, 0)

    @property
    def evenness(self) -> float | None:
        rates = [s.per_staffed_hour for s in self.load if s.per_staffed_hour is not None]
        if len(rates) < 2:
            return None
        return round(1 - gini(rates), 3)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class OwnRecord:
    """What one specialist did on one line: in the shift under way, and this month."""

    line: Line
    shift: Shift | None
    shift_contacts: int
    shift_talk_seconds: int
    month_contacts: int
    month_talk_seconds: int


def _own_totals(
    session: Session, line_id: int, specialist_id: int, since: datetime
) -> tuple[int, int]:
    count, talk = session.execute(
        select(func.count(Contact.id), func.coalesce(func.sum(Contact.talk_seconds), 0)).where(
            Contact.line_id == line_id,
            Contact.specialist_id == specialist_id,
            Contact.connected_at >= since,
            Contact.practice.is_(False),
        )
    ).one()
    return int(count), int(talk)


def own_record(session: Session, line: Line, specialist_id: int, at: datetime) -> OwnRecord:
    """Count a specialist's answered contacts and talk time on a line.

    "This shift" is the rostered shift covering `at`, if there is one; "this month" starts at
    midnight on the first of the line's local month.
    """
    shift = session.scalars(
        select(Shift)
        .where(
            Shift.line_id == line.id,
            Shift.user_id == specialist_id,
            Shift.starts_at <= at,
            Shift.ends_at > at,
        )
        .order_by(Shift.starts_at)
    ).first()
    first_day = roster.local_today(line, at).replace(day=1)
    month_start, _ = roster.local_day_bounds(line, first_day, first_day)
    on_shift = _own_totals(session, line.id, specialist_id, shift.starts_at) if shift else (0, 0)
    this_month = _own_totals(session, line.id, specialist_id, month_start)
    return OwnRecord(line, shift, *on_shift, *this_month)


def week_start(line: Line, at: datetime) -> datetime:
    """Return the UTC instant of Monday midnight, in the line's timezone, of `at`'s week."""
    today = roster.local_today(line, at)
    monday = today - timedelta(days=today.weekday())
    return roster.local_day_bounds(line, monday, monday)[0]


def crisis_contacts_this_week(session: Session, line: Line, at: datetime) -> dict[int, int]:
    """Count, per specialist, the crisis contacts they took on the line this local week.

    A crisis contact is one they talked or texted with that showed crisis signs (tier 1 or 2
    at any point) or that was referred to the crisis line; the week starts Monday 00:00.
    """
    rows = session.execute(
        select(Contact.specialist_id, func.count(Contact.id))
        .where(
            Contact.line_id == line.id,
            Contact.specialist_id.is_not(None),
            Contact.practice.is_(False),
            Contact.connected_at >= week_start(line, at),
            Contact.connected_at <= at,
            (Contact.crisis_tier >= 1) | Contact.crisis_referred_at.is_not(None),
        )
        .group_by(Contact.specialist_id)
    )
    return {int(specialist_id): int(count) for specialist_id, count in rows}


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def percentile(values: list[float], fraction: float) -> float | None:
    """Return the nearest-rank percentile (the value at least `fraction` of them reach)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return float(ordered[rank - 1])


def gini(values: list[float]) -> float:
    """Return the Gini coefficient: 0 when all are equal, towards 1 when one has it all."""
    ordered = sorted(values)
    total = sum(ordered)
    if not ordered or total == 0:
        return 0.0
    n = len(ordered)
    weighted = sum((i + 1) * v for i, v in enumerate(ordered))
    return (2 * weighted) / (n * total) - (n + 1) / n


def hour_of_week(moment: datetime) -> int:
    """Monday 00:00-00:59 local is 0, Sunday 23:00 is 167 (pass a local datetime)."""
    return moment.weekday() * 24 + moment.hour


def build(session: Session, line: Line, first: date, last: date) -> Report:
    """Compute the report for the line's local dates first..last (both included)."""
    if last < first:
        raise ValueError("the period must end on or after its first day")
    if (last - first).days >= MAX_DAYS:
        raise ValueError(f"a report covers at most {MAX_DAYS} days")
    tz = roster.zone(line)
    starts_at, ends_at = roster.local_day_bounds(line, first, last)
    report = Report(line.id, first, last, line.timezone)
    # Practice calls for training are in no report.
    in_period = (
        Contact.line_id == line.id,
        Contact.arrived_at >= starts_at,
        Contact.arrived_at < ends_at,
        Contact.practice.is_(False),
    )

    for channel, outcome, count in session.execute(
        select(Contact.channel, Contact.outcome, func.count())
        .where(*in_period)
        .group_by(Contact.channel, Contact.outcome)
    ):
        report.total += count
        report.by_outcome[outcome.value] = report.by_outcome.get(outcome.value, 0) + count
        report.by_channel[channel.value] = report.by_channel.get(channel.value, 0) + count
        if outcome not in TURNED_AWAY:
            report.reached += count
        if outcome == Outcome.ABANDONED:
            report.abandoned += count

    repeats = (
        select(Contact.caller_tag, func.count().label("n"))
        .where(*in_period, Contact.caller_tag.is_not(None))
        .group_by(Contact.caller_tag)
        .subquery()
    )
    tagged, repeated = session.execute(
        select(
            func.coalesce(func.sum(repeats.c.n), 0),
            func.coalesce(func.sum(repeats.c.n).filter(repeats.c.n > 1), 0),
        )
    ).one()
    report.tagged_contacts, report.repeat_contacts = int(tagged), int(repeated)

    report.per_hour = {c.value: [0] * 24 for c in Channel}
    report.per_day = {c.value: {d.isoformat(): 0 for d in report.days()} for c in Channel}
    waits, talks, referrals = [], [], []
    answered_by: Counter[int] = Counter()
    talk_by: Counter[int] = Counter()
    rows = session.execute(
        select(
            Contact.channel,
            Contact.outcome,
            Contact.arrived_at,
            Contact.connected_at,
            Contact.wait_seconds,
            Contact.talk_seconds,
            Contact.crisis_tier,
            Contact.crisis_referred_at,
            Contact.specialist_id,
            Contact.callback_requested_at,
            Contact.callback_attempts,
        ).where(*in_period)
    )
    for (
        channel,
        outcome,
        arrived,
        connected,
        wait,
        talk,
        tier,
        referred,
        specialist,
        callback_asked,
        callback_tries,
    ) in rows:
        local = arrived.astimezone(tz)
        report.per_hour[channel.value][local.hour] += 1
        report.per_day[channel.value][local.date().isoformat()] += 1
        report.demand[hour_of_week(local)] += 1
        if connected is not None and outcome not in TURNED_AWAY:
            report.answered += 1
        if wait is not None and outcome not in TURNED_AWAY:
            waits.append(wait)
        if talk is not None and connected is not None:
            talks.append(talk)
        if tier:
            report.crisis_flagged += 1
        if referred is not None:
            report.crisis_referrals += 1
            referrals.append(max(0.0, (referred - arrived).total_seconds()))
        if callback_asked is not None:
            report.callbacks_requested += 1
        if callback_tries:
            report.callbacks_made += 1
            report.callbacks_reached += connected is not None
        if specialist is not None and connected is not None:
            answered_by[specialist] += 1
            talk_by[specialist] += talk or 0

    report.wait_p50, report.wait_p90 = percentile(waits, 0.5), percentile(waits, 0.9)
    if talks:
        report.talk_mean_minutes = round(sum(talks) / len(talks) / 60, 1)
        report.talk_p50_minutes = round((percentile(talks, 0.5) or 0) / 60, 1)
    report.referral_p50_seconds = percentile(referrals, 0.5)
    report.referral_p90_seconds = percentile(referrals, 0.9)

    staffed_by = _staffing(session, line, report, starts_at, ends_at)
    names = dict(
        session.execute(
            select(User.id, User.display_name).where(
                User.id.in_(set(staffed_by) | set(answered_by))
            )
        ).all()
    )
    report.load = sorted(
        (
            SpecialistLoad(
                user_id=uid,
                name=names.get(uid, "former specialist"),
                contacts=answered_by.get(uid, 0),
                talk_minutes=round(talk_by.get(uid, 0) / 60, 1),
                staffed_hours=round(staffed_by.get(uid, 0.0), 2),
            )
            for uid in set(staffed_by) | set(answered_by)
        ),
        key=lambda s: (-s.contacts, s.name),
    )
    return report


def _staffing(
    session: Session, line: Line, report: Report, starts_at: datetime, ends_at: datetime
) -> dict[int, float]:
    """Spread every shift's hours over local hours of the week; return hours per person."""
    tz = roster.zone(line)
    per_person: dict[int, float] = defaultdict(float)
    for shift in session.scalars(
        select(Shift).where(
            Shift.line_id == line.id, Shift.starts_at < ends_at, Shift.ends_at > starts_at
        )
    ):
        moment = max(shift.starts_at, starts_at)
        stop = min(shift.ends_at, ends_at)
        while moment < stop:
            # Walk in real time to the next local hour boundary, so DST nights add up.
            local = moment.astimezone(tz)
            boundary = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
            step_end = min(stop, moment + (boundary - local))
            hours = (step_end - moment).total_seconds() / 3600
            report.staffed[hour_of_week(local)] += hours
            per_person[shift.user_id] += hours
            moment = step_end
    return per_person


def weekday_label(hour_of_week_index: int) -> str:
    return f"{WEEKDAYS[hour_of_week_index // 24]} {hour_of_week_index % 24:02d}:00"
