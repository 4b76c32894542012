"""The block list: caller tags a line will not queue, chosen from a past contact.

A coordinator never types or sees a number: they pick a contact from the line's history
and the block takes that contact's caller tag. Every block and unblock is audited; the
audit keeps the contact and block ids, not the tag.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from warmline import audit
from warmline.models import Block, Contact, utcnow
from warmline.sentences import N_, Refused

MAX_REASON = 500


class BlockError(Refused):
    """A block that cannot be made or lifted, with a reason a coordinator can act on."""


@dataclass(frozen=True)
class BlockView:
    """A block as the console lists it: never the full tag, only a short reference."""

    id: int
    line_id: int
    reference: str
    reason: str
    created_at: datetime
    created_by_id: int | None
    expires_at: datetime | None
    lifted_at: datetime | None
    active: bool


def reference(caller_tag: str | None) -> str:
    """A short handle for a caller tag that is enough to tell two apart on one screen."""
    return caller_tag[:8] if caller_tag else "withheld"


def active_block(session: Session, line_id: int, caller_tag: str, at: datetime) -> Block | None:
    return session.scalars(
        select(Block).where(
            Block.line_id == line_id,
            Block.caller_tag == caller_tag,
            Block.lifted_at.is_(None),
            or_(Block.expires_at.is_(None), Block.expires_at > at),
        )
    ).first()


def recent_contacts(session: Session, line_id: int, *, days: int, limit: int) -> list[Contact]:
    """Return the line's contacts of the last `days` days, newest first: what can be blocked.

    Practice calls are none of them: their caller is a trainer.
    """
    since = utcnow() - timedelta(days=days)
    return list(
        session.scalars(
            select(Contact)
            .where(
                Contact.line_id == line_id,
                Contact.arrived_at >= since,
                Contact.practice.is_(False),
            )
            .order_by(Contact.arrived_at.desc(), Contact.id.desc())
            .limit(limit)
        )
    )


def block_from_contact(
    session: Session,
    contact: Contact,
    *,
    reason: str,
    expires_at: datetime | None = None,
    actor_id: int | None = None,
    via: str = "console",
    now: datetime | None = None,
) -> Block:
    """Block the caller tag of a past contact on its line, with a reason and an expiry."""
    now = now or utcnow()
    reason = " ".join((reason or "").split())
    if not reason:
        raise BlockError(N_("say why: a block needs a reason"))
    if len(reason) > MAX_REASON:
        raise BlockError(N_("a reason has at most %(most)s characters"), most=MAX_REASON)
    if contact.caller_tag is None:
        raise BlockError(N_("this contact came from a withheld number and cannot be blocked"))
    if expires_at is not None and (expires_at.tzinfo is None or expires_at <= now):
        raise BlockError(N_("a block's expiry must be in the future"))
    if active_block(session, contact.line_id, contact.caller_tag, now) is not None:
        raise BlockError(N_("this caller is already blocked on this line"))
    block = Block(
        line_id=contact.line_id,
        caller_tag=contact.caller_tag,
        reason=reason,
        created_by_id=actor_id,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(block)
    session.flush()
    audit.record(
        session,
        "block.add",
        "block",
        block.id,
        actor_id=actor_id,
        via=via,
        detail={
            "line_id": contact.line_id,
            "contact_id": contact.id,
            "reason": reason,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return block


def lift_block(
    session: Session,
    block: Block,
    *,
    actor_id: int | None = None,
    via: str = "console",
    now: datetime | None = None,
) -> Block:
    """Unblock: the caller is queued again from their next contact."""
    if block.lifted_at is not None:
        raise BlockError(N_("this block was already lifted"))
    block.lifted_at = now or utcnow()
    audit.record(
        session,
        "block.lift",
        "block",
        block.id,
        actor_id=actor_id,
        via=via,
        detail={"line_id": block.line_id},
    )
    session.flush()
    return block


def list_blocks(session: Session, line_id: int, *, at: datetime | None = None) -> list[BlockView]:
    """Return the line's blocks, newest first, each saying whether it is still in force."""
    at = at or utcnow()
    blocks = session.scalars(
        select(Block)
        .where(Block.line_id == line_id)
        .order_by(Block.created_at.desc(), Block.id.desc())
    )
    return [
        BlockView(
            id=b.id,
            line_id=b.line_id,
            reference=reference(b.caller_tag),
            reason=b.reason,
            created_at=b.created_at,
            created_by_id=b.created_by_id,
            expires_at=b.expires_at,
            lifted_at=b.lifted_at,
            active=b.lifted_at is None and (b.expires_at is None or b.expires_at > at),
        )
        for b in blocks
    ]
