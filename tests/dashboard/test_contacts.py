"""The waiting line, accepting, in-call controls and wrap-ups: who may see and do what."""

from __future__ import annotations

import json

import pytest
from rq import Queue
from sqlalchemy import select

from tests.dashboard.conftest import (
    CALLER,
    PASSWORD,
    Dashboard,
    caller_arrives,
    caller_connects,
    caller_hangs_up,
    signed_in,
)
from tests.factories import make_line, make_specialist
from warmline.lines import assign_coordinator
from warmline.live import LiveLine
from warmline.models import Role, WrapUp
from warmline.people import add_user
from warmline.privacy import caller_tag

HILLSIDE = "+15017122662"
NO_WRAP_UP = {"topics": [], "crisis_referral_offered": False, "follow_up_needed": False}


def queued_jobs(redis_client) -> list[str]:
    return [job.func_name.rsplit(".", 1)[1] for job in Queue("calls", connection=redis_client).jobs]


def in_conversation(browser, line, twilio, session) -> int:
    browser.start_shift(line.id)
    contact_id = caller_arrives(twilio, session)
    assert browser.post(f"/api/contacts/{contact_id}/accept").status_code == 200
    caller_connects(twilio, session, contact_id)
    return contact_id


def test_a_waiting_caller_shows_what_a_specialist_needs_and_nothing_identifying(
    ana_browser, line, twilio, session, settings
):
    ana_browser.start_shift(line.id)
    caller_arrives(twilio, session)
    caller_hangs_up(twilio, session, caller_arrives(twilio, session))
    contact_id = caller_arrives(twilio, session)

    response = ana_browser.get("/api/queue")
    [waiting] = [c for c in response.json["waiting"] if c["id"] == contact_id]
    assert waiting == {
        "id": contact_id,
        "channel": "voice",
        "language": "en",
        "crisis_tier": 0,
        "waiting_seconds": waiting["waiting_seconds"],
        "contacts_this_month": 3,
        "state": "waiting",
        "crisis_leg": "",
        "crisis_referred": False,
        "flagged_hours_ago": None,
        "takeable": True,
        "talking_seconds": None,
        "support": "",
        "callback": False,
        "practice": False,
        "unspoken_language": None,
    }
    body = response.get_data(as_text=True)
    assert CALLER[2:] not in body and "5550123" not in body
    assert caller_tag(CALLER, settings.caller_key) not in body


def test_a_specialist_not_on_shift_sees_no_waiting_line(
    ana_browser, bo_browser, line, twilio, session
):
    bo_browser.start_shift(line.id)
    caller_arrives(twilio, session)
    assert ana_browser.queue() == {"waiting": [], "mine": []}


def hillside_with_someone_on_shift(app, session) -> int:
    other = make_line(session, name="Hillside", twilio_number=HILLSIDE)
    cy = make_specialist(session, other, name="Cy", phone="+14155550173")
    assert signed_in(app, cy).start_shift(other.id).status_code == 200
    return other.id


def test_a_specialist_sees_only_the_line_they_are_on(app, ana_browser, line, session, twilio):
    hillside_with_someone_on_shift(app, session)
    ana_browser.start_shift(line.id)
    elsewhere = caller_arrives(twilio, session, to=HILLSIDE)
    assert elsewhere is not None
    assert ana_browser.queue()["waiting"] == []


def test_accepting_on_screen_takes_the_caller_and_rings_the_specialist_in(
    ana_browser, ana, line, twilio, session, redis_client
):
    ana_browser.start_shift(line.id)
    contact_id = caller_arrives(twilio, session)
    response = ana_browser.post(f"/api/contacts/{contact_id}/accept")
    assert response.status_code == 200
    assert (response.json["status"], response.json["contact_id"]) == ("on_call", contact_id)
    assert {"bring_specialist", "connect_caller"} <= set(queued_jobs(redis_client))
    [mine] = ana_browser.queue()["mine"]
    assert (mine["id"], mine["state"]) == (contact_id, "live")


def test_two_specialists_accepting_the_same_caller_only_one_gets_them(
    ana_browser, bo_browser, line, twilio, session
):
    ana_browser.start_shift(line.id)
    bo_browser.start_shift(line.id)
    contact_id = caller_arrives(twilio, session)
    first = ana_browser.post(f"/api/contacts/{contact_id}/accept")
    second = bo_browser.post(f"/api/contacts/{contact_id}/accept")
    assert (first.status_code, second.status_code) == (200, 409)
    assert bo_browser.get("/api/shift").json["status"] == "available"


def test_a_caller_on_another_line_cannot_be_accepted(app, ana_browser, line, session, twilio):
    hillside_with_someone_on_shift(app, session)
    ana_browser.start_shift(line.id)
    elsewhere = caller_arrives(twilio, session, to=HILLSIDE)
    assert ana_browser.post(f"/api/contacts/{elsewhere}/accept").status_code == 404


def test_a_caller_in_a_language_the_specialist_does_not_speak_is_not_accepted(
    ana_browser, line, session, twilio, redis_client
):
    ana_browser.start_shift(line.id)
    contact_id = caller_arrives(twilio, session)
    line.languages = ["en", "es"]
    session.commit()
    twilio.post(f"/webhooks/voice/language?contact={contact_id}", {"Digits": "2"})
    response = ana_browser.post(f"/api/contacts/{contact_id}/accept")
    assert response.status_code == 409
    assert "language" in response.json["error"]


def test_nobody_accepts_without_being_on_shift(ana_browser, bo_browser, line, session, twilio):
    bo_browser.start_shift(line.id)
    contact_id = caller_arrives(twilio, session)
    assert ana_browser.post(f"/api/contacts/{contact_id}/accept").status_code == 409


@pytest.mark.parametrize("action", ["transfer", "hang-up"])
def test_another_specialists_call_cannot_be_controlled(
    action, ana_browser, bo_browser, line, twilio, session, redis_client
):
    contact_id = in_conversation(ana_browser, line, twilio, session)
    bo_browser.start_shift(line.id)
    before = queued_jobs(redis_client)
    response = bo_browser.post(f"/api/contacts/{contact_id}/{action}")
    assert response.status_code == 404
    assert queued_jobs(redis_client) == before


def test_transfer_to_the_crisis_line_dials_it_in_and_shows_the_leg(
    ana_browser, line, twilio, session, redis_client
):
    contact_id = in_conversation(ana_browser, line, twilio, session)
    response = ana_browser.post(f"/api/contacts/{contact_id}/transfer")
    assert response.status_code == 202
    assert "add_crisis_counselor" in queued_jobs(redis_client)
    [mine] = ana_browser.queue()["mine"]
    assert mine["crisis_leg"] == "dialing"


def test_end_call_hangs_up_the_specialists_own_phone_only(
    ana_browser, ana, line, twilio, session, redis_client
):
    contact_id = in_conversation(ana_browser, line, twilio, session)
    assert ana_browser.post(f"/api/contacts/{contact_id}/hang-up").status_code == 409
    LiveLine(redis_client, line.id).record_leg(contact_id, ana.id, "CA" + "a" * 32)
    assert ana_browser.post(f"/api/contacts/{contact_id}/hang-up").status_code == 202
    [hang_up] = [
        j for j in Queue("calls", connection=redis_client).jobs if "hang_up" in j.func_name
    ]
    assert hang_up.args == (["CA" + "a" * 32],)


def test_the_wrap_up_keeps_only_checkboxes_from_the_lines_list(
    ana_browser, ana, line, twilio, session
):
    contact_id = in_conversation(ana_browser, line, twilio, session)
    early = ana_browser.post(f"/api/contacts/{contact_id}/wrap-up", NO_WRAP_UP)
    assert early.status_code == 409
    caller_hangs_up(twilio, session, contact_id)
    [mine] = ana_browser.queue()["mine"]
    assert mine["state"] == "wrap_up"

    response = ana_browser.post(
        f"/api/contacts/{contact_id}/wrap-up",
        {
            "topics": ["low mood", "loneliness"],
            "crisis_referral_offered": True,
            "follow_up_needed": False,
        },
    )
    assert response.status_code == 201
    wrap_up = session.scalar(select(WrapUp).where(WrapUp.contact_id == contact_id))
    assert wrap_up.topics == ["loneliness", "low mood"]
    assert (wrap_up.crisis_referral_offered, wrap_up.specialist_id) == (True, ana.id)
    assert ana_browser.queue()["mine"] == []
    again = ana_browser.post(f"/api/contacts/{contact_id}/wrap-up", NO_WRAP_UP)
    assert again.status_code == 404


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({**NO_WRAP_UP, "note": "called from 415 555 0123"}, 400),
        ({**NO_WRAP_UP, "topics": ["<script>alert(1)</script>"]}, 409),
        ({**NO_WRAP_UP, "topics": "loneliness"}, 400),
        ({**NO_WRAP_UP, "topics": [1, 2]}, 400),
        ({**NO_WRAP_UP, "topics": ["other"] * 10_000}, 400),
        ({**NO_WRAP_UP, "follow_up_needed": "yes"}, 400),
        ({"topics": []}, 400),
    ],
)
def test_a_wrap_up_with_free_text_or_bad_values_is_refused(
    body, status, ana_browser, line, twilio, session
):
    contact_id = in_conversation(ana_browser, line, twilio, session)
    caller_hangs_up(twilio, session, contact_id)
    response = ana_browser.post(f"/api/contacts/{contact_id}/wrap-up", body)
    assert response.status_code == status
    assert session.scalar(select(WrapUp.id)) is None


def test_another_specialists_contact_cannot_be_wrapped_up(
    ana_browser, bo_browser, line, twilio, session
):
    contact_id = in_conversation(ana_browser, line, twilio, session)
    caller_hangs_up(twilio, session, contact_id)
    response = bo_browser.post(f"/api/contacts/{contact_id}/wrap-up", NO_WRAP_UP)
    assert response.status_code == 404
    assert session.scalar(select(WrapUp.id)) is None


def test_coordinator_routes_refuse_specialists(ana_browser, line):
    assert ana_browser.get(f"/api/coordinator/lines/{line.id}/queue").status_code == 403


def test_a_coordinator_sees_their_lines_waiting_line(
    coordinator_browser, bo_browser, line, twilio, session
):
    bo_browser.start_shift(line.id)
    contact_id = caller_arrives(twilio, session)
    waiting = coordinator_browser.get(f"/api/coordinator/lines/{line.id}/queue").json["waiting"]
    assert [c["id"] for c in waiting] == [contact_id]
    body = json.dumps(waiting)
    assert "5550123" not in body


def test_a_coordinators_board_shows_who_is_on_shift_in_what_state_and_who_waits(
    coordinator_browser, ana_browser, bo_browser, line, twilio, session
):
    ana_browser.start_shift(line.id)
    bo_browser.start_shift(line.id)
    bo_browser.post("/api/shift/status", {"status": "break", "reason": "meal"})
    contact_id = caller_arrives(twilio, session)

    board = coordinator_browser.get(f"/api/coordinator/lines/{line.id}/board").json

    states = {p["name"]: (p["status"], p["reason"]) for p in board["specialists"]}
    assert states["Bo"] == ("break", "meal")
    assert states["Ana"][0] in {"available", "on_call"}
    assert [c["id"] for c in board["waiting"]] == [contact_id]
    assert "5550123" not in json.dumps(board)
    assert ana_browser.get(f"/api/coordinator/lines/{line.id}/board").status_code == 403


def test_a_coordinator_of_another_line_finds_neither_its_queue_nor_its_roster(
    app, session, line, bo
):
    other = add_user(
        session,
        email="olu@example.org",
        display_name="Olu",
        password=PASSWORD,
        role=Role.COORDINATOR,
    )
    elsewhere = make_line(session, name="Hillside Warm Line", twilio_number="+15017120099")
    assign_coordinator(session, elsewhere, other)
    session.commit()
    browser = Dashboard(app.test_client())
    assert browser.sign_in(other.email).status_code == 200
    assert browser.get(f"/api/coordinator/lines/{line.id}/queue").status_code == 404
    assert browser.get(f"/api/coordinator/lines/{line.id}/board").status_code == 404
    override = browser.post("/api/coordinator/shifts", {"line_id": line.id, "specialist_id": bo.id})
    assert override.status_code == 404
    assert [entry["id"] for entry in browser.get("/api/lines").json["lines"]] == [elsewhere.id]
