"""The console's practice page: a coordinator marks a specialist in training (audited), sets up
a practice call for them and ticks its debrief; bad input is refused and changes nothing."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from tests.console.conftest import make_person
from tests.console.test_console_pages import Browser
from tests.console.test_supervisor_board import supervisor_of
from tests.factories import make_line
from warmline.lines import assign_coordinator
from warmline.models import AuditEvent, Channel, Contact, PracticeCall, utcnow


@pytest.fixture
def coordinated(session, line, cora):
    assign_coordinator(session, line, cora, via="cli")
    session.commit()
    return line


@pytest.fixture
def console(app, coordinated, cora):
    browser = Browser(app.test_client())
    browser.sign_in(cora.email)
    return browser


def in_training(session, person):
    person.in_training = True
    session.commit()
    return person


def practice_calls(session) -> list[PracticeCall]:
    session.expire_all()
    return list(session.scalars(select(PracticeCall).order_by(PracticeCall.id)))


def test_a_coordinator_marks_a_specialist_in_training_and_it_is_in_the_audit_log(
    console, session, coordinated, ana, cora
):
    saved = console.post(
        f"/console/people/{ana.id}",
        {
            "display_name": "Ana",
            "phone": ana.phone,
            "languages": "en",
            "active": "yes",
            "supervisor": "no",
            "in_training": "yes",
            "line_ids": str(coordinated.id),
        },
    )

    assert saved.status_code == 303
    session.refresh(ana)
    assert ana.in_training is True
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.update")).one()
    assert (event.actor_id, event.detail["changed"]["in_training"]) == (cora.id, [False, True])
    assert "in training" in console.page("/console/people")


def test_a_coordinator_sets_up_a_practice_call_and_ticks_its_debrief(
    console, session, coordinated, ana, cora
):
    in_training(session, ana)
    bo = make_person(session, "Bo", phone="+14155550172", line_ids=[coordinated.id])
    page = console.page(f"/console/lines/{coordinated.id}/practice")
    assert "A caller who becomes at risk" in page and "Ana" in page

    opened = console.post(
        f"/console/lines/{coordinated.id}/practice",
        {"scenario": "becomes_at_risk", "trainee_id": ana.id, "caller_id": bo.id},
        follow_redirects=True,
    )

    assert "Practice call set up: call" in opened.get_data(as_text=True)
    [call] = practice_calls(session)
    assert (call.trainee_id, call.trainer_id, call.scenario) == (ana.id, cora.id, "becomes_at_risk")
    assert bo.phone not in repr(tuple(session.execute(select(PracticeCall.__table__)).one()))
    refused = console.post(
        f"/console/lines/{coordinated.id}/practice/{call.id}/debrief", {"ticked": "noticed"}
    )
    assert refused.status_code == 303 and practice_calls(session)[0].debriefed_at is None

    contact = Contact(line_id=coordinated.id, channel=Channel.VOICE, arrived_at=utcnow())
    call.contact = contact
    contact.practice = True
    session.commit()
    ticked = console.post(
        f"/console/lines/{coordinated.id}/practice/{call.id}/debrief",
        {"ticked": ["numbers", "noticed"]},
    )
    assert ticked.status_code == 303
    assert practice_calls(session)[0].debrief == ["noticed", "numbers"]
    assert 'value="noticed" checked' in console.page(f"/console/lines/{coordinated.id}/practice")
    actions = [e.action for e in session.scalars(select(AuditEvent)) if "practice" in e.action]
    assert actions == ["practice.open", "practice.debrief"]
    trail = html.unescape(console.page("/console/audit"))
    assert "Cora set up a practice call for Ana on Riverside Warm Line." in trail
    assert "Cora ticked the debrief of Ana's practice call on Riverside Warm Line." in trail


def test_bad_practice_input_is_refused_and_changes_nothing(
    console, session, coordinated, ana, cora
):
    in_training(session, ana)
    path = f"/console/lines/{coordinated.id}/practice"
    for form in (
        {},
        {"scenario": "becomes_at_risk", "trainee_id": "x", "caller_id": cora.id},
        {"scenario": "becomes_at_risk", "trainee_id": ana.id, "caller_id": 2**40},
        {"scenario": "<script>", "trainee_id": ana.id, "caller_id": cora.id},
        {"scenario": "x" * 5000, "trainee_id": ana.id, "caller_id": cora.id},
    ):
        assert console.post(path, form).status_code == 303, form
    assert practice_calls(session) == []
    page = console.page(path)
    assert "<script>" not in page
    assert console.post(f"{path}/99/debrief", {"ticked": "noticed"}).status_code == 404


def test_an_odd_debrief_tick_is_refused(console, session, coordinated, ana, bo):
    in_training(session, ana)
    console.post(
        f"/console/lines/{coordinated.id}/practice",
        {"scenario": "quiet_caller", "trainee_id": ana.id, "caller_id": ana.id},
    )
    assert practice_calls(session) == [], "the trainee cannot be the caller"
    console.post(
        f"/console/lines/{coordinated.id}/practice",
        {"scenario": "quiet_caller", "trainee_id": ana.id, "caller_id": bo.id},
    )
    [call] = practice_calls(session)
    call.contact = Contact(line_id=coordinated.id, channel=Channel.VOICE, arrived_at=utcnow())
    session.commit()

    console.post(
        f"/console/lines/{coordinated.id}/practice/{call.id}/debrief",
        {"ticked": ["silence", "a note about the caller"]},
    )

    assert practice_calls(session)[0].debrief == []


def test_a_supervisor_of_the_line_trains_on_it_and_nobody_else_may(app, session, line, ana, bo):
    sam = supervisor_of(session, line)
    supervisor = Browser(app.test_client())
    supervisor.sign_in(sam.email)
    assert supervisor.get(f"/console/lines/{line.id}/practice").status_code == 200
    hillside = make_line(session, name="Hillside", twilio_number="+15017122662")
    assert supervisor.get(f"/console/lines/{hillside.id}/practice").status_code == 404

    specialist = Browser(app.test_client())
    specialist.sign_in(bo.email)
    assert specialist.get(f"/console/lines/{line.id}/practice").status_code == 403
    in_training(session, ana)
    refused = specialist.post(
        f"/console/lines/{line.id}/practice",
        {"scenario": "quiet_caller", "trainee_id": ana.id, "caller_id": bo.id},
    )
    assert refused.status_code == 403 and practice_calls(session) == []
