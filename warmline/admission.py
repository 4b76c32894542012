"""Admission: whether a new call or text conversation may join the line, for both channels.

A caller or texter is turned away when blocked, over the line's daily limit, or when the
line is closed (outside its hours, or nobody on shift). Those the channels treat
differently say so through the arguments: a withheld number is never blocked or limited,
nor is a contact showing crisis signs now.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from warmline.crisis.carry import FLAGGED, CarriedFlag, flag_parameters
from warmline.lines import is_open, next_opening
from warmline.live import LiveLine
from warmline.models import Block, Contact, Line, Outcome, PracticeCall

# A caller whose call dropped and who rings straight back is the same conversation.
REDIAL_WINDOW = timedelta(minutes=2)


class Refusal(enum.Enum):
    """Why a new contact cannot join the line."""

    BLOCKED = "blocked"
    LIMITED = "limited"
    CLOSED = "closed"


@dataclass(frozen=True)
class Admission:
    """The verdict on a new contact, with when the line reopens if it is closed."""

    refusal: Refusal | None = None
    reopens_at: datetime | None = None
    # Closed by its hours, not merely because nobody is on shift right now.
    outside_hours: bool = False


@dataclass(frozen=True)
class History:
    """What the database holds on a caller tag as its new contact arrives: a block in force,
    and the crisis flag an earlier contact passes on."""

    blocked: bool = False
    carried: CarriedFlag | None = None
    # A trainer's practice call waits for a call from this tag (`calls.practice_waiting`).
    practice: bool = False


def caller_history(session: Session, line: Line, caller_tag: str | None, at: datetime) -> History:
    """Read the caller tag's block, carried crisis flag and practice call in one query."""
    if caller_tag is None:
        return History()
    flagging = flag_parameters(line, caller_tag, at)
    if flagging is None:
        found = {"line_id": line.id, "caller_tag": caller_tag, "at": at}
        row = session.execute(_BLOCK_AND_PRACTICE, found).one()
        return History(blocked=bool(row.blocked), practice=bool(row.practice))
    row = session.execute(_HISTORY, flagging).one()
    carried = CarriedFlag(row.tier, row.flagged_at) if row.tier else None
    return History(blocked=bool(row.blocked), carried=carried, practice=bool(row.practice))


def admit(
    session: Session,
    line: Line,
    live: LiveLine,
    *,
    caller_tag: str | None,
    at: datetime,
    crisis_tier: int = 0,
    blocked: bool | None = None,
) -> Admission:
    """Decide whether a new contact may join the line, and if not, why.

    `blocked`: whether a block is in force, when already read with the caller's history.
    """
    if blocked is None:
        blocked = caller_tag is not None and is_blocked(session, line.id, caller_tag, at)
    if blocked:
        return Admission(Refusal.BLOCKED)
    if (
        caller_tag is not None
        and not crisis_tier
        and over_daily_limit(session, line, caller_tag, at)
    ):
        return Admission(Refusal.LIMITED)
    outside_hours = not is_open(line, at)
    if outside_hours or not live.anyone_present():
        return Admission(Refusal.CLOSED, next_opening(line, at), outside_hours)
    return Admission()


def is_blocked(session: Session, line_id: int, caller_tag: str, at: datetime) -> bool:
    """Return whether a coordinator's block on this caller tag is in force."""
    return bool(session.scalar(_BLOCKED, {"line_id": line_id, "caller_tag": caller_tag, "at": at}))


# A coordinator's block on a caller tag in force at an instant, on a line; and with it, the
# flagged contact a new one carries from (each column a subquery: one row, flagged or not).
# Built once, bound per lookup.
_BLOCK_IN_FORCE = (
    select(Block.id)
    .where(
        Block.line_id == bindparam("line_id"),
        Block.caller_tag == bindparam("caller_tag"),
        Block.lifted_at.is_(None),
        (Block.expires_at.is_(None)) | (Block.expires_at > bindparam("at")),
    )
    .exists()
)
_PRACTICE_SET_UP = (
    select(PracticeCall.id)
    .where(
        PracticeCall.line_id == bindparam("line_id"),
        PracticeCall.caller_tag == bindparam("caller_tag"),
        PracticeCall.contact_id.is_(None),
        PracticeCall.expires_at > bindparam("at"),
    )
    .exists()
)
_BLOCKED = select(_BLOCK_IN_FORCE)
_BLOCK_AND_PRACTICE = select(_BLOCK_IN_FORCE.label("blocked"), _PRACTICE_SET_UP.label("practice"))
_HISTORY = select(
    _BLOCK_IN_FORCE.label("blocked"),
    _PRACTICE_SET_UP.label("practice"),
    FLAGGED.with_only_columns(Contact.crisis_tier).scalar_subquery().label("tier"),
    FLAGGED.with_only_columns(Contact.arrived_at).scalar_subquery().label("flagged_at"),
)


def over_daily_limit(session: Session, line: Line, caller_tag: str, at: datetime) -> bool:
    """Return whether this caller already had the line's daily conversations.

    Only conversations with a specialist count, a redial within two minutes of a dropped
    call is the same conversation, and a caller ever flagged for crisis today is never
    limited.
    """
    if line.daily_contact_limit == 0:
        return False
    zone = ZoneInfo(line.timezone)
    midnight = at.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    today = session.scalars(
        select(Contact)
        .where(Contact.line_id == line.id, Contact.caller_tag == caller_tag)
        .where(Contact.arrived_at >= midnight)
        .order_by(Contact.arrived_at)
    ).all()
    if any(c.crisis_tier > 0 or c.crisis_referred_at is not None for c in today):
        return False
    conversations = 0
    last_end: datetime | None = None
    for contact in today:
        if contact.outcome is not Outcome.ANSWERED:
            continue
        if last_end is None or contact.arrived_at - last_end > REDIAL_WINDOW:
            conversations += 1
        last_end = contact.ended_at or at
    redialling = last_end is not None and at - last_end <= REDIAL_WINDOW
    return conversations >= line.daily_contact_limit and not redialling
