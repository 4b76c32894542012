"""A crisis flag carried over: the same caller tag's next contact starts flagged for a while.

Read from the contacts table alone (the caller tag, the tier and when), so no new personal
data is kept: a flag lasts the line's `crisis_carry_hours`, 0 turning it off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from warmline.models import Contact, Line


@dataclass(frozen=True)
class CarriedFlag:
    """The tier of the caller tag's latest flagged contact, and when that contact arrived."""

    tier: int
    flagged_at: datetime

    def hours_ago(self, at: datetime) -> int:
        """Return the whole hours since the flagged contact arrived."""
        return max(0, int((at - self.flagged_at).total_seconds() // 3600))


# The flagged contact a new one carries from: the caller tag's latest with crisis signs in
# the period, on the line. Built once; bound per lookup (`flag_parameters`).
FLAGGED = (
    select(Contact.crisis_tier, Contact.arrived_at)
    .where(
        Contact.line_id == bindparam("line_id"),
        Contact.caller_tag == bindparam("caller_tag"),
        Contact.crisis_tier > 0,
        Contact.arrived_at > bindparam("since"),
        Contact.arrived_at <= bindparam("at"),
    )
    .order_by(Contact.arrived_at.desc(), Contact.id.desc())
    .limit(1)
)


def carried_flag(
    session: Session,
    line: Line,
    caller_tag: str | None,
    at: datetime,
    *,
    before_id: int | None = None,
) -> CarriedFlag | None:
    """Return the flag a new contact of this caller tag starts with, if one is still carried.

    `before_id` leaves out the contact itself (and later ones) when it is already stored.
    """
    parameters = flag_parameters(line, caller_tag, at)
    if parameters is None:
        return None
    query = FLAGGED if before_id is None else FLAGGED.where(Contact.id < before_id)
    row = session.execute(query, parameters).first()
    return CarriedFlag(row.crisis_tier, row.arrived_at) if row else None


def flag_parameters(line: Line, caller_tag: str | None, at: datetime) -> dict | None:
    """Return what binds `FLAGGED` for a new contact; None when it can carry no flag."""
    hours = line.crisis_carry_hours or 0
    if caller_tag is None or hours <= 0:
        return None
    return {
        "line_id": line.id,
        "caller_tag": caller_tag,
        "since": at - timedelta(hours=hours),
        "at": at,
    }
