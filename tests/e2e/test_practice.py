"""A practice call through gunicorn, RQ workers and the Twilio simulator: a trainer sets it up
on the console, a colleague's phone calls the line, the trainee in training answers through
the line's own whisper, the trainer coaches, the handoff is practised without ringing the
crisis line, and the debrief is ticked; no report counts it, and no number is stored.

Coaching is Twilio's Conference Participant `Coaching` with `CallSidToCoach`
(https://www.twilio.com/docs/voice/api/conference-participant-resource), as in
tests/e2e/test_supervision.py.
"""

from __future__ import annotations

from sqlalchemy import select

from tests.e2e.test_handoff import CONNECTED, WHISPER, handoff_state, heard
from tests.e2e.test_supervision import _says_to, support, voices
from tests.e2e.test_texts import Dashboard
from tests.services import wait_for
from tests.test_privacy_end_to_end import redis_dump
from warmline import feedback, reports, roster
from warmline.models import AuditEvent, Base, Contact, PracticeCall, User, utcnow
from warmline.simulator import APPLICATION_ERROR

DEADLINE = 30


def console_post(dashboard: Dashboard, path: str, form: dict) -> int:
    """Send a console form as the browser does; return the status after the redirect."""
    response = dashboard.http.post(
        dashboard.base_url + path, data={**form, "csrf_token": dashboard.csrf}, timeout=10
    )
    return response.status_code


def test_a_trainer_places_a_practice_call_that_only_the_trainee_answers_and_no_report_counts(
    scenario, open_dashboard
):
    line = scenario.line()
    ben = scenario.specialist(line, "Ben")
    tia = scenario.specialist(line, "Tia", on_shift=False)
    tom = scenario.specialist(line, "Tom", on_shift=False)
    cleo = scenario.specialist(line, "Cleo", on_shift=False)
    with scenario.stack.services.sessions() as session:
        session.get(User, tia.id).in_training = True
        session.get(User, tom.id).supervisor = True
        session.commit()
    scenario.start_shift(line, tia)
    tia.phone.answers_after(rings=1)
    tom.phone.answers_after(rings=1)
    crisis_line = scenario.sim.phone(line.crisis_number)
    trainer = open_dashboard(tom)
    trainee = open_dashboard(tia)

    placed = console_post(
        trainer,
        f"/console/lines/{line.id}/practice",
        {"scenario": "becomes_at_risk", "trainee_id": tia.id, "caller_id": cleo.id},
    )
    assert placed == 200
    cleo.phone.dial(line.twilio_number)
    scenario.advance_until(lambda: scenario.holding(cleo.phone), what="the practice call waits")
    scenario.wait_until_rung(tia.phone, what="a worker to ring the trainee")
    scenario.advance_until(lambda: WHISPER in heard(tia.phone), what="Tia hears the whisper")
    tia.phone.press("1")
    wait_for(lambda: CONNECTED in heard(cleo.phone), timeout=DEADLINE, what="Cleo put through")
    scenario.advance_until(
        lambda: cleo.phone.connected_to == [tia.phone.number], what="Cleo and Tia talk"
    )
    assert ben.phone.calls == [], "a specialist who is not in training is never offered it"
    contact_id = scenario.contact(line).id

    coach = trainer.post(f"/api/supervisor/contacts/{contact_id}", {"mode": "coach"})
    assert coach.status_code == 202, coach.text
    scenario.wait_until_rung(tom.phone, what="a worker to ring Tom into the practice call")
    scenario.advance_until(lambda: tom.phone.state == "in-call", what="Tom answers")
    wait_for(
        lambda: _says_to(tom.phone, "Ask them directly about suicide.", tia.phone),
        timeout=DEADLINE,
        what="Tom coaches Tia",
    )
    assert "Ask them directly about suicide." not in voices(cleo.phone)
    assert support(trainee, contact_id) == "coaching"

    assert trainee.post(f"/api/contacts/{contact_id}/transfer").status_code == 202
    wait_for(
        lambda: handoff_state(trainee, contact_id) == "unreached",
        timeout=DEADLINE,
        what="the practised handoff to ring out",
    )
    assert crisis_line.calls == [], "training never rings the real crisis line"
    cleo.phone.hang_up()
    wait_for(
        lambda: scenario.contact(line).ended_at is not None,
        timeout=DEADLINE,
        what="the practice call to close",
    )
    wait_for(lambda: tom.phone.state == "idle", timeout=DEADLINE, what="Tom's phone hangs up")
    with scenario.stack.services.sessions() as session:
        practice_id = session.scalar(select(PracticeCall.id).where(PracticeCall.line_id == line.id))
    ticked = console_post(
        trainer,
        f"/console/lines/{line.id}/practice/{practice_id}/debrief",
        {"ticked": ["noticed", "handoff", "numbers"]},
    )
    assert ticked == 200

    with scenario.stack.services.sessions() as session:
        call = session.get(PracticeCall, practice_id)
        contact = session.get(Contact, contact_id)
        assert (call.contact_id, call.debrief, call.caller_tag) == (
            contact_id,
            ["noticed", "handoff", "numbers"],
            None,
        )
        assert (contact.practice, contact.specialist_id, contact.caller_tag) == (True, tia.id, None)
        assert contact.survey_asked_at is None
        today = roster.local_today(line, utcnow())
        assert reports.build(session, line, today, today).total == 0
        assert feedback.report(session, line, today, today).overall.asked == 0
        assert reports.crisis_contacts_this_week(session, line, utcnow()) == {}
        actions = [
            e.action
            for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
            if e.action.startswith(("practice.", "supervision."))
            and (e.detail or {}).get("line_id") == line.id
        ]
        assert actions == ["practice.open", "supervision.coach", "practice.debrief"]
        # Cleo's phone is in her profile, as every specialist's is; nowhere else.
        stored = "\n".join(
            repr(tuple(row))
            for table in Base.metadata.sorted_tables
            if table.name != "users"
            for row in session.execute(select(table))
        )
    assert APPLICATION_ERROR not in cleo.phone.heard
    assert scenario.errors() == []
    logs = "\n".join(
        log.read_text(errors="replace") for log in scenario.stack.processes.directory.glob("*.log")
    )
    redis = redis_dump(scenario.stack.services.redis)
    number_forms = [cleo.phone.number, cleo.phone.number[1:], cleo.phone.number[2:]]
    for where, text in (("logs", logs), ("database", stored), ("Redis", redis)):
        assert [form for form in number_forms if form in text] == [], where
