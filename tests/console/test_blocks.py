"""Blocks come from a past contact's caller tag, carry a reason and expiry, and are audited."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.console.conftest import BOTH
from warmline import admission, blocks
from warmline.models import AuditEvent, Channel, Contact, Outcome, utcnow

TAG = hashlib.sha256(b"a caller").hexdigest()


def _contact(session, line, tag=TAG):
    contact = Contact(
        line_id=line.id, channel=Channel.VOICE, caller_tag=tag, outcome=Outcome.ANSWERED
    )
    session.add(contact)
    session.commit()
    return contact


@BOTH
def test_block_from_a_contact_stops_that_tag_and_lifting_lets_it_back(session, line, cora):
    contact = _contact(session, line)
    block = blocks.block_from_contact(
        session,
        contact,
        reason="  abusive to  specialists ",
        expires_at=utcnow() + timedelta(days=30),
        actor_id=cora.id,
    )
    session.commit()
    assert block.caller_tag == TAG and block.reason == "abusive to specialists"
    assert admission.is_blocked(session, line.id, TAG, utcnow())
    with pytest.raises(blocks.BlockError, match="already blocked"):
        blocks.block_from_contact(session, contact, reason="again")
    blocks.lift_block(session, block, actor_id=cora.id)
    session.commit()
    assert not admission.is_blocked(session, line.id, TAG, utcnow())
    events = session.scalars(select(AuditEvent).where(AuditEvent.target_type == "block")).all()
    assert [(e.action, e.actor_id) for e in events] == [
        ("block.add", cora.id),
        ("block.lift", cora.id),
    ]
    assert TAG not in str([e.detail for e in events])
    listed = blocks.list_blocks(session, line.id)
    assert [(b.reference, b.active) for b in listed] == [(TAG[:8], False)]


@pytest.mark.parametrize(
    ("reason", "expires_in", "message"),
    [
        ("", None, "needs a reason"),
        ("x" * 501, None, "at most 500"),
        ("spam", timedelta(minutes=-1), "future"),
    ],
)
def test_blocks_need_a_reason_and_a_future_expiry(session, line, reason, expires_in, message):
    contact = _contact(session, line)
    expires = utcnow() + expires_in if expires_in else None
    with pytest.raises(blocks.BlockError, match=message):
        blocks.block_from_contact(session, contact, reason=reason, expires_at=expires)


def test_a_withheld_number_cannot_be_blocked(session, line):
    contact = _contact(session, line, tag=None)
    with pytest.raises(blocks.BlockError, match="withheld"):
        blocks.block_from_contact(session, contact, reason="spam")
