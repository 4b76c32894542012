"""The audit log read as sentences: one per change, in plain words, never a caller's data."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from tests.console.conftest import make_person
from tests.factories import LONG_AGO
from warmline import audit, blocks, lines, people, roster
from warmline.models import AuditEvent, Channel, Contact, Outcome, Role

CALLER_NUMBER = "+14155550123"


def _settings(line) -> lines.LineSettings:
    return lines.LineSettings(
        **{
            field.name: getattr(line, field.name)
            for field in dataclasses.fields(lines.LineSettings)
        }
    )


def _log(session, line) -> list[str]:
    names = audit.Names(
        people={user.id: user.display_name for user in people.everyone(session)},
        lines={line.id: line.name},
    )
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    return [sentence for event in events for sentence in audit.sentences(event, names)]


def test_a_settings_change_reads_as_a_sentence_per_setting_in_the_units_people_use(
    session, line, cora
):
    line.wrap_up_seconds = 120
    session.commit()
    changed = dataclasses.replace(
        _settings(line),
        wrap_up_seconds=180,
        ring_timeout_seconds=25,
        languages=["en", "es"],
        routing_strategy="round_robin",
        twilio_opt_out=False,
        crisis_terms={"means": ["rat poison"]},
    )
    lines.update_settings(session, line, changed, actor_id=cora.id, via="console")
    session.commit()
    said = _log(session, line)
    assert said[:2] == [
        "The operator added the line Riverside Warm Line.",
        "The operator added Cora as a coordinator.",
    ]
    assert set(said[2:]) == {
        "Cora changed Riverside Warm Line's wrap-up time from 2 to 3 minutes.",
        "Cora changed Riverside Warm Line's ring time from 20 to 25 seconds.",
        "Cora changed Riverside Warm Line's languages from en to en, es.",
        "Cora changed Riverside Warm Line's way of choosing who is offered the next caller "
        "from longest idle to round robin.",
        "Cora changed Riverside Warm Line's answerer of STOP, START and HELP texts "
        "from Twilio to the line.",
        "Cora changed Riverside Warm Line's extra crisis words.",
    }


def test_roster_changes_name_the_people_and_the_local_times(session, line, ana, bo, cora):
    mine = roster.add_local_shift(
        session, line=line, user=ana, day=date(2026, 6, 1), start="22:00", end="06:00",
        now=LONG_AGO, actor_id=cora.id,
    )  # fmt: skip
    theirs = roster.add_local_shift(
        session, line=line, user=bo, day=date(2026, 6, 2), start="09:00", end="13:00",
        now=LONG_AGO, actor_id=cora.id,
    )  # fmt: skip
    roster.swap_shifts(session, mine, theirs, actor_id=cora.id)
    roster.cancel_shift(session, theirs, actor_id=cora.id)
    session.commit()
    assert _log(session, line)[-4:] == [
        "Cora put Ana on shift on Riverside Warm Line on 2026-06-01 from 22:00 to 06:00.",
        "Cora put Bo on shift on Riverside Warm Line on 2026-06-02 from 09:00 to 13:00.",
        "Cora swapped the shifts of Ana and Bo on Riverside Warm Line.",
        "Cora cancelled Ana's shift on Riverside Warm Line on 2026-06-02 from 09:00 to 13:00.",
    ]


def test_a_block_says_a_caller_was_blocked_and_never_who_or_why(session, line, cora):
    tag = hashlib.sha256(CALLER_NUMBER.encode()).hexdigest()
    contact = Contact(
        line_id=line.id, channel=Channel.SMS, caller_tag=tag, outcome=Outcome.ANSWERED
    )
    session.add(contact)
    session.flush()
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    block = blocks.block_from_contact(
        session,
        contact,
        reason=f"Jane Doe of Springfield, {CALLER_NUMBER}, kept shouting",
        expires_at=now + timedelta(days=7),
        actor_id=cora.id,
        now=now,
    )
    blocks.lift_block(session, block, actor_id=cora.id, now=now + timedelta(days=1))
    session.commit()
    said = _log(session, line)[-2:]
    assert said == [
        "Cora blocked a caller from Riverside Warm Line until 2026-06-08.",
        "Cora lifted a block on Riverside Warm Line.",
    ]
    for forbidden in ("Jane", "Springfield", "555", "shouting", tag[:12], str(contact.id)):
        assert not [sentence for sentence in said if forbidden in sentence], forbidden


def test_every_event_the_line_records_reads_as_a_sentence_not_its_data(session, line, ana, cora):
    admin = make_person(session, "Ada", Role.ADMIN)
    lines.assign_coordinator(session, line, cora, actor_id=admin.id)
    people.set_password(session, ana, "a brand new password", actor_id=cora.id, via="console")
    roster.add_pattern(
        session, line=line, user=ana, weekday=0, start="18:00", end="22:00",
        starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 29), today=date(2026, 6, 1),
        actor_id=cora.id,
    )  # fmt: skip
    audit.record(session, "retention.purge", "contact", None, via="worker",
                 detail={"removed": {str(line.id): 3}})  # fmt: skip
    audit.record(session, "a.new_kind", "line", line.id, actor_id=cora.id)
    session.commit()
    said = _log(session, line)
    assert "Ada made Cora a coordinator of Riverside Warm Line." in said
    assert "Cora set a new password for Ana." in said
    assert (
        "Cora put Ana on a weekly shift on Riverside Warm Line, mon 18:00 to 22:00, "
        "from 2026-06-01 until 2026-06-29." in said
    )
    assert (
        "The line's scheduled jobs deleted 3 contact records older than their line keeps them."
        in said
    )
    assert said[-1] == "Cora made a change (a.new_kind)."
    for sentence in said:
        assert sentence.endswith(".") and not {"{", "}", "[", "_id"} & set(sentence.split()), (
            sentence
        )
        assert "{" not in sentence and "_id" not in sentence, sentence
