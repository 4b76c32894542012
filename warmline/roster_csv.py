"""The roster as CSV, for spreadsheets: export, and import with an error per bad row.

Columns: email, date, start, end, repeat, until. `date` is the local date of the shift
(for a weekly row, the first one); `start` and `end` are the line's wall-clock times;
`repeat` is empty for a one-off shift or "weekly"; `until` is a weekly row's last date.
An import is all or nothing: one bad row and nothing is saved, every bad row is named.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from warmline import audit, roster
from warmline.models import Line, ShiftPattern, User
from warmline.sentences import N_, Refusal, Say, english

COLUMNS = ("email", "date", "start", "end", "repeat", "until")
MAX_ROWS = 2000
MAX_BYTES = 512 * 1024
# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class RowError:
    """What is wrong with one row; rows count from 1 at the header, as a spreadsheet does."""

    row: int
    reason: Refusal

    def said(self, say: Say) -> str:
        return say(N_("row %(row)s: %(reason)s"), row=self.row, reason=self.reason.said(say))

    def __str__(self) -> str:
        return self.said(english)


@dataclass
class ImportResult:
    shifts: int = 0
    patterns: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def spreadsheet_safe(value: object) -> str:
    """Render a cell so a spreadsheet shows it as text and never runs it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """Write rows as CSV text with every cell made spreadsheet-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(list(header))
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()


def export(session: Session, line: Line, first: date, last: date) -> str:
    """Write the line's weekly patterns active in [first, last] and its one-off shifts."""
    starts_at, ends_at = roster.local_day_bounds(line, first, last)
    emails = dict(session.execute(select(User.id, User.email)).all())
    rows: list[list[object]] = []
    patterns = session.scalars(
        select(ShiftPattern)
        .where(
            ShiftPattern.line_id == line.id,
            ShiftPattern.starts_on <= last,
            or_(ShiftPattern.ends_on.is_(None), ShiftPattern.ends_on >= first),
        )
        .order_by(ShiftPattern.weekday, ShiftPattern.start_time, ShiftPattern.id)
    )
    for pattern in patterns:
        rows.append(
            [
                emails.get(pattern.user_id, ""),
                pattern.starts_on.isoformat(),
                pattern.start_time,
                pattern.end_time,
                "weekly",
                pattern.ends_on.isoformat() if pattern.ends_on else "",
            ]
        )
    for shift in roster.shifts_between(session, line.id, starts_at, ends_at):
        if shift.pattern_id is not None:
            continue
        local = roster.describe(line, shift)
        rows.append(
            [emails.get(shift.user_id, ""), local["date"], local["start"], local["end"], "", ""]
        )
    return write_csv(COLUMNS, rows)


def _date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise roster.RosterError(
            N_("%(field)s %(text)r is not a date like 2026-11-21"), field=what, text=text[:20]
        ) from None


def import_csv(
    session: Session,
    line: Line,
    text: str,
    *,
    now: datetime,
    actor_id: int | None = None,
    via: str = "console",
) -> ImportResult:
    """Add the shifts and weekly patterns a CSV lists, or none of them if any row is wrong.

    `now` decides which shifts are in the past, and refused.
    """
    result = ImportResult()
    if len(text.encode()) > MAX_BYTES:
        result.errors.append(RowError(0, Refusal(N_("the file is larger than 512 kB"))))
        return result
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [cell.strip().lower() for cell in next(reader, [])]
    missing = [name for name in COLUMNS[:4] if name not in header]
    if missing:
        result.errors.append(
            RowError(1, Refusal(N_("the header lacks %(columns)s"), columns=", ".join(missing)))
        )
        return result
    users = {u.email: u for u in session.scalars(select(User))}
    # Savepoint: a later bad row undoes what earlier rows added.
    savepoint = session.begin_nested()
    for number, cells in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            too_many = Refusal(N_("a file may have at most %(rows)s rows"), rows=MAX_ROWS)
            result.errors.append(RowError(number, too_many))
            break
        if not any(cell.strip() for cell in cells):
            continue
        row = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)}
        try:
            _import_row(session, line, row, users, result, now, actor_id, via)
        except roster.RosterError as error:
            result.errors.append(RowError(number, error))
    if result.errors:
        savepoint.rollback()
        result.shifts = result.patterns = 0
        return result
    savepoint.commit()
    audit.record(
        session,
        "roster.import",
        "line",
        line.id,
        actor_id=actor_id,
        via=via,
        detail={"shifts": result.shifts, "patterns": result.patterns},
    )
    return result


def _import_row(
    session: Session,
    line: Line,
    row: dict[str, str],
    users: dict[str, User],
    result: ImportResult,
    now: datetime,
    actor_id: int | None,
    via: str,
) -> None:
    email = row.get("email", "").lower()
    user = users.get(email)
    if user is None:
        raise roster.RosterError(N_("nobody signs in as %(email)r"), email=email[:80])
    day = _date(row.get("date", ""), "date")
    repeat = row.get("repeat", "").lower()
    if repeat not in ("", "weekly"):
        raise roster.RosterError(N_("repeat must be empty or 'weekly'"))
    if repeat == "weekly":
        until = _date(row["until"], "until") if row.get("until") else None
        roster.add_pattern(
            session,
            line=line,
            user=user,
            weekday=day.weekday(),
            start=row.get("start", ""),
            end=row.get("end", ""),
            starts_on=day,
            ends_on=until,
            actor_id=actor_id,
            via=via,
            today=roster.local_today(line, now),
        )
        result.patterns += 1
    else:
        roster.add_local_shift(
            session,
            line=line,
            user=user,
            day=day,
            start=row.get("start", ""),
            end=row.get("end", ""),
            now=now,
            actor_id=actor_id,
            via=via,
        )
        result.shifts += 1
