"""Live support: a specialist asks, supervisors on duty hear it, and a supervisor of the line
listens, coaches or joins; who may do what, what is audited, and what reaches Twilio."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest
from rq import Queue
from sqlalchemy import select

from tests.dashboard.conftest import (
    CALLER,
    Dashboard,
    call_sid_of,
    caller_arrives,
    caller_connects,
    signed_in,
    texter_sends,
)
from tests.factories import call_sid, make_line, make_specialist
from tests.fake_twilio import fake_twilio
from warmline import calls, offers, supervision, urls
from warmline.audit import Names, sentences
from warmline.live import LiveLine
from warmline.models import AuditEvent, Contact, Line, User

HILLSIDE = "+15017122662"
SUPERVISOR_PHONE = "+14155550199"


@pytest.fixture
def twilio_api():
    with fake_twilio() as fake:
        yield fake


@pytest.fixture
def settings(settings, twilio_api):
    return replace(settings, twilio_api_base_url=twilio_api.base_url)


@pytest.fixture
def monitored(session, line) -> Line:
    line.monitoring_enabled = True
    session.commit()
    return line


@pytest.fixture
def sam(session, line) -> User:
    """A specialist of the line who is also its supervisor."""
    person = make_specialist(session, line, name="Sam", phone=SUPERVISOR_PHONE)
    person.supervisor = True
    session.commit()
    return person


@pytest.fixture
def sam_browser(app, sam) -> Dashboard:
    return signed_in(app, sam)


def on_a_call(browser: Dashboard, line, twilio, session) -> int:
    browser.start_shift(line.id)
    contact_id = caller_arrives(twilio, session)
    assert browser.post(f"/api/contacts/{contact_id}/accept").status_code == 200
    caller_connects(twilio, session, contact_id)
    return contact_id


def on_duty(browser: Dashboard, line) -> dict:
    """Open the line's live board, which puts a supervisor on duty there."""
    response = browser.get(f"/api/coordinator/lines/{line.id}/board")
    assert response.status_code == 200
    return response.json


def next_event(events) -> dict:
    """Return the next event published on the line, waiting up to 5 seconds for it."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        message = events.get_message(timeout=1)
        if message is not None:
            return json.loads(message["data"])
    raise AssertionError("no event was published")


def queued(redis_client) -> list[str]:
    return [job.func_name for job in Queue("calls", connection=redis_client).jobs]


def audit_trail(session) -> list[str]:
    session.expire_all()
    names = Names(
        people={u.id: u.display_name for u in session.scalars(select(User))},
        lines={line.id: line.name for line in session.scalars(select(Line))},
    )
    return [s for e in session.scalars(select(AuditEvent)) for s in sentences(e, names)]


def test_asking_for_support_with_nobody_on_duty_says_so(ana_browser, line, twilio, session):
    contact_id = on_a_call(ana_browser, line, twilio, session)

    response = ana_browser.post(f"/api/contacts/{contact_id}/support")

    assert response.status_code == 202
    assert response.json == {"supervisors_on_duty": 0}
    [mine] = ana_browser.queue()["mine"]
    assert mine["support"] == "requested"


def test_a_supervisor_with_the_board_open_is_alerted_and_sees_the_request(
    ana_browser, sam_browser, line, twilio, session, redis_client
):
    contact_id = on_a_call(ana_browser, line, twilio, session)
    assert on_duty(sam_browser, line)["supervisors_on_duty"] == 1
    events = redis_client.pubsub(ignore_subscribe_messages=True)
    events.subscribe(LiveLine(redis_client, line.id).events_channel)

    response = ana_browser.post(f"/api/contacts/{contact_id}/support")

    assert response.json == {"supervisors_on_duty": 1}
    assert next_event(events)["type"] == "support_requested"
    [call] = on_duty(sam_browser, line)["conversations"]
    assert call["support"] == "requested"
    assert call["specialist"] == "Ana"
    assert set(call) == {
        "id",
        "channel",
        "language",
        "crisis_tier",
        "talking_seconds",
        "specialist",
        "support",
        "practice",
    }
    assert "Ana asked for a supervisor's support during a contact on Riverside Warm Line." in (
        audit_trail(session)
    )


def test_a_supervisor_who_closed_the_board_half_a_minute_ago_is_not_on_duty(
    sam, line, redis_client
):
    supervision.keep_on_duty(redis_client, line_id=line.id, supervisor_id=sam.id, at_ms=1_000)
    assert supervision.on_duty(redis_client, line.id, 1_000 + supervision.ON_DUTY_MS) == [sam.id]
    assert supervision.on_duty(redis_client, line.id, 1_001 + supervision.ON_DUTY_MS) == []


def test_nobody_asks_for_support_on_someone_elses_contact(
    ana_browser, bo_browser, line, twilio, session
):
    contact_id = on_a_call(ana_browser, line, twilio, session)
    assert bo_browser.post(f"/api/contacts/{contact_id}/support").status_code == 404


def test_a_texter_s_specialist_may_ask_for_support_but_nobody_listens_to_a_text(
    ana_browser, sam_browser, monitored, twilio, session
):
    ana_browser.start_shift(monitored.id)
    contact_id = texter_sends(twilio, session, "hello")
    assert ana_browser.post(f"/api/contacts/{contact_id}/accept").status_code == 200

    assert ana_browser.post(f"/api/contacts/{contact_id}/support").status_code == 202
    refused = sam_browser.post(f"/api/supervisor/contacts/{contact_id}", {"mode": "listen"})
    assert refused.status_code == 409


def test_nobody_listens_on_a_line_whose_greeting_does_not_say_so(
    ana_browser, sam_browser, line, twilio, session, redis_client
):
    contact_id = on_a_call(ana_browser, line, twilio, session)

    response = sam_browser.post(f"/api/supervisor/contacts/{contact_id}", {"mode": "listen"})

    assert response.status_code == 409
    assert "does not tell callers" in response.json["error"]
    assert "workers.jobs.supervise_call" not in queued(redis_client)


def test_listening_coaching_and_joining_are_each_audited_and_shown_to_the_specialist(
    ana_browser, sam_browser, monitored, twilio, session, redis_client
):
    contact_id = on_a_call(ana_browser, monitored, twilio, session)

    for mode, state in (("listen", "listening"), ("coach", "coaching"), ("join", "joined")):
        response = sam_browser.post(f"/api/supervisor/contacts/{contact_id}", {"mode": mode})
        assert (response.status_code, response.json) == (202, {"support": state})
        [mine] = ana_browser.queue()["mine"]
        assert mine["support"] == state

    assert queued(redis_client).count("workers.jobs.supervise_call") == 3
    trail = audit_trail(session)
    assert "Sam listened to Ana's call on Riverside Warm Line." in trail
    assert "Sam coached Ana during a call on Riverside Warm Line." in trail
    assert "Sam joined Ana's call on Riverside Warm Line." in trail
    details = [e.detail for e in session.scalars(select(AuditEvent)) if e.target_type == "contact"]
    assert all(set(detail) <= {"line_id", "user_id"} for detail in details)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"mode": "shout"}, 400),
        ({"mode": 1}, 400),
        ({}, 400),
        ({"mode": "listen", "extra": 1}, 400),
    ],
)
def test_a_bad_supervision_request_is_refused(
    ana_browser, sam_browser, monitored, twilio, session, body, status
):
    contact_id = on_a_call(ana_browser, monitored, twilio, session)
    assert sam_browser.post(f"/api/supervisor/contacts/{contact_id}", body).status_code == status


def test_only_a_supervisor_of_the_line_may_listen(
    app, ana_browser, bo_browser, coordinator_browser, monitored, twilio, session
):
    contact_id = on_a_call(ana_browser, monitored, twilio, session)
    hillside = make_line(session, name="Hillside", twilio_number=HILLSIDE, monitoring_enabled=True)
    elsewhere = make_specialist(session, hillside, name="Eli", phone="+14155550188")
    elsewhere.supervisor = True
    session.commit()

    for browser in (bo_browser, coordinator_browser, signed_in(app, elsewhere)):
        refused = browser.post(f"/api/supervisor/contacts/{contact_id}", {"mode": "listen"})
        assert refused.status_code == 404
    assert (
        signed_in(app, elsewhere).get(f"/api/coordinator/lines/{monitored.id}/board").status_code
        == 404
    )


def test_a_second_supervisor_does_not_take_over_a_call(
    app, ana_browser, sam_browser, monitored, twilio, session
):
    contact_id = on_a_call(ana_browser, monitored, twilio, session)
    other = make_specialist(session, monitored, name="Tia", phone="+14155550198")
    other.supervisor = True
    session.commit()
    assert (
        sam_browser.post(f"/api/supervisor/contacts/{contact_id}", {"mode": "listen"}).status_code
        == 202
    )

    refused = signed_in(app, other).post(f"/api/supervisor/contacts/{contact_id}", {"mode": "join"})

    assert refused.status_code == 409


def test_the_supervisor_is_rung_muted_then_coaches_the_specialists_leg_then_is_heard(
    ana,
    ana_browser,
    sam_browser,
    monitored,
    twilio,
    session,
    worker_runtime,
    twilio_api,
    redis_client,
):
    ana_browser.start_shift(monitored.id)
    contact_id = caller_arrives(twilio, session)
    assert ana_browser.post(f"/api/contacts/{contact_id}/accept").status_code == 200
    offers.bring_specialist(worker_runtime, contact_id, ana.id)
    specialist_leg = LiveLine(redis_client, monitored.id).offer_legs(contact_id)[ana.id]
    answered = {"CallSid": specialist_leg, "CallStatus": "in-progress"}
    assert twilio.post(urls.offer_status(contact_id, ana.id), answered).status_code == 200
    assert twilio.post(urls.connect(contact_id), {"CallSid": call_sid_of(session, contact_id)})

    sam_browser.post(f"/api/supervisor/contacts/{contact_id}", {"mode": "listen"})
    supervision.supervise_call(worker_runtime, contact_id)
    sam_browser.post(f"/api/supervisor/contacts/{contact_id}", {"mode": "coach"})
    supervision.supervise_call(worker_runtime, contact_id)
    sam_browser.post(f"/api/supervisor/contacts/{contact_id}", {"mode": "join"})
    supervision.supervise_call(worker_runtime, contact_id)

    added, coaching, joined = [
        r
        for r in twilio_api.requests
        if "/Participants" in r.path and r.form.get("To") != [ana.phone]
    ]
    assert added.path.endswith(
        f"/Conferences/{calls.conference_name(contact_id)}/Participants.json"
    )
    assert added.form["To"] == [SUPERVISOR_PHONE]
    assert added.form["From"] == [monitored.twilio_number]
    assert (added.form["Muted"], added.form["Beep"]) == (["true"], ["false"])
    assert "Coaching" not in added.form
    assert "/Conferences/CF" in coaching.path
    assert coaching.form["Coaching"] == ["true"]
    assert coaching.form["CallSidToCoach"] == [specialist_leg]
    assert coaching.form["Muted"] == ["false"]
    assert (joined.form["Coaching"], joined.form["Muted"]) == (["false"], ["false"])
    assert "CallSidToCoach" not in joined.form


def test_when_the_supervisor_hangs_up_the_specialist_sees_nobody_listening(
    ana_browser, sam_browser, monitored, twilio, session, worker_runtime
):
    contact_id = on_a_call(ana_browser, monitored, twilio, session)
    sam_browser.post(f"/api/supervisor/contacts/{contact_id}", {"mode": "listen"})
    supervision.supervise_call(worker_runtime, contact_id)
    leg = LiveLine(worker_runtime.redis, monitored.id).support(contact_id)["leg"]

    other = {"CallSid": call_sid(), "CallStatus": "completed"}
    assert twilio.post(urls.supervisor_leg_status(contact_id), other).status_code == 200
    assert ana_browser.queue()["mine"][0]["support"] == "listening"
    done = {"CallSid": leg, "CallStatus": "completed"}
    assert twilio.post(urls.supervisor_leg_status(contact_id), done).status_code == 200

    assert ana_browser.queue()["mine"][0]["support"] == ""


def test_an_unsigned_supervisor_leg_status_is_refused(client, ana, line):
    response = client.post(
        urls.supervisor_leg_status(1), data={"CallSid": call_sid(), "CallStatus": "completed"}
    )
    assert response.status_code == 403


def test_the_call_s_end_hangs_up_its_supervisor(
    ana_browser, sam_browser, monitored, twilio, session, worker_runtime, redis_client
):
    contact_id = on_a_call(ana_browser, monitored, twilio, session)
    sam_browser.post(f"/api/supervisor/contacts/{contact_id}", {"mode": "listen"})
    supervision.supervise_call(worker_runtime, contact_id)
    leg = LiveLine(redis_client, monitored.id).support(contact_id)["leg"]
    caller_leg = session.get(Contact, contact_id).call_sid

    twilio.post("/webhooks/voice/status", {"CallSid": caller_leg, "CallStatus": "completed"})

    hang_ups = [
        j for j in Queue("calls", connection=redis_client).jobs if j.func_name.endswith("hang_up")
    ]
    assert [leg] in [job.args[0] for job in hang_ups]
    assert LiveLine(redis_client, monitored.id).support(contact_id) == {}


def test_the_board_shows_a_call_s_length_and_never_the_caller(
    ana_browser, sam_browser, monitored, twilio, session, settings
):
    contact_id = on_a_call(ana_browser, monitored, twilio, session)
    response = sam_browser.get(f"/api/coordinator/lines/{monitored.id}/board")
    [call] = response.json["conversations"]
    assert call["id"] == contact_id and call["talking_seconds"] >= 0
    assert (response.json["supervising"], response.json["monitoring"]) == (True, True)
    assert CALLER[2:] not in response.get_data(as_text=True)


def test_a_supervisor_does_not_supervise_their_own_call(sam_browser, monitored, twilio, session):
    contact_id = on_a_call(sam_browser, monitored, twilio, session)
    refused = sam_browser.post(f"/api/supervisor/contacts/{contact_id}", {"mode": "listen"})
    assert refused.status_code == 409


def test_coaching_with_no_specialist_leg_known_stays_muted_rather_than_reach_the_caller(
    ana_browser, sam_browser, monitored, twilio, session, worker_runtime, twilio_api
):
    contact_id = on_a_call(ana_browser, monitored, twilio, session)
    sam_browser.post(f"/api/supervisor/contacts/{contact_id}", {"mode": "coach"})

    supervision.supervise_call(worker_runtime, contact_id)

    [added] = [r for r in twilio_api.requests if r.path.endswith("/Participants.json")]
    assert added.form["Muted"] == ["true"]
    assert "Coaching" not in added.form
