"""Wrap-ups: the checkboxes a specialist ticks after each contact.

No free-text note is kept. A note is where a caller's name, number or story would end up,
and the durable record is a whitelist (DESIGN.md, Privacy): topics from the line's own
list, whether a crisis referral was offered, whether follow-up is needed.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warmline.models import Contact, Line, WrapUp
from warmline.sentences import N_, Refused


class WrapUpRefused(Refused):
    """The wrap-up cannot be recorded (someone else's contact, already done, unknown topic)."""


def record_wrap_up(
    session: Session,
    *,
    contact_id: int,
    specialist_id: int,
    topics: list[str],
    crisis_referral_offered: bool,
    follow_up_needed: bool,
) -> WrapUp:
    """Record a specialist's wrap-up of their own contact, once."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.specialist_id != specialist_id:
        raise WrapUpRefused(N_("that contact is not yours to wrap up"))
    if contact.wrap_up is not None:
        raise WrapUpRefused(N_("that contact is already wrapped up"))
    offered = session.get(Line, contact.line_id).wrap_up_topics
    if not set(topics) <= set(offered):
        raise WrapUpRefused(N_("choose topics from the line's list"))
    wrap_up = WrapUp(
        contact_id=contact_id,
        specialist_id=specialist_id,
        topics=[topic for topic in offered if topic in topics],
        crisis_referral_offered=crisis_referral_offered,
        follow_up_needed=follow_up_needed,
    )
    session.add(wrap_up)
    try:
        session.commit()
    except IntegrityError:
        # The same form submitted twice at once: the other request recorded it.
        session.rollback()
        raise WrapUpRefused(N_("that contact is already wrapped up")) from None
    return wrap_up
