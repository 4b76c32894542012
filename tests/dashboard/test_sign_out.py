"""Signing out ends a specialist's availability: nothing more is offered to them, a call they
are on goes on to its end and their shift ends with it, and they come back off shift.

Through signed webhooks, the dashboard's API, a real RQ worker process and a recording Twilio API.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from rq import Queue

from tests.dashboard.conftest import caller_arrives, caller_connects, caller_hangs_up, texter_sends
from tests.dashboard.test_deactivation import ANA_PHONE, BO_PHONE, caller_waits, rung
from tests.fake_twilio import fake_twilio
from tests.processes import work
from warmline.live import LiveLine
from warmline.models import Contact


@pytest.fixture
def twilio_api():
    with fake_twilio() as fake:
        yield fake


@pytest.fixture
def settings(settings, twilio_api):
    return replace(settings, twilio_api_base_url=twilio_api.base_url)


def signs_out(browser) -> None:
    response = browser.client.delete("/api/session", headers={"X-CSRF-Token": browser.csrf})
    assert response.status_code == 204
    browser.csrf = ""  # the session, and its CSRF token, ended with it


def test_signing_out_while_available_ends_the_shift_and_the_next_caller_rings_another(
    twilio, settings, line, ana, bo, ana_browser, bo_browser, twilio_api, redis_client
):
    assert ana_browser.start_shift(line.id).status_code == 200
    assert bo_browser.start_shift(line.id).status_code == 200

    signs_out(ana_browser)

    live = LiveLine(redis_client, line.id)
    assert live.present() == [bo.id]
    caller_waits(twilio)
    work(settings)
    assert rung(twilio_api, []) == [BO_PHONE]

    assert ana_browser.sign_in(ana.email).status_code == 200
    assert ana_browser.get("/api/shift").json == {"on_shift": False, "status": "offline"}


def test_signing_out_with_an_offer_ringing_gives_the_caller_to_the_next_specialist(
    twilio, settings, line, ana, bo, ana_browser, bo_browser, twilio_api, redis_client
):
    assert ana_browser.start_shift(line.id).status_code == 200
    assert bo_browser.start_shift(line.id).status_code == 200
    seen: list = []
    caller_waits(twilio)
    work(settings)
    assert rung(twilio_api, seen) == [ANA_PHONE]
    ring_ana = seen[-1]

    signs_out(ana_browser)
    work(settings)

    hang_up = [r for r in twilio_api.requests if r.path.endswith(f"/{ring_ana.created_sid}.json")]
    assert [r.form.get("Status") for r in hang_up] == [["completed"]]
    assert rung(twilio_api, seen) == [BO_PHONE]
    assert LiveLine(redis_client, line.id).specialist(ana.id) == {}


def test_signing_out_during_a_call_lets_it_finish_then_ends_the_shift(
    twilio, settings, session, line, ana, ana_browser, twilio_api, redis_client
):
    assert ana_browser.start_shift(line.id).status_code == 200
    contact_id = caller_arrives(twilio, session)
    assert ana_browser.post(f"/api/contacts/{contact_id}/accept").status_code == 200
    caller_connects(twilio, session, contact_id)

    signs_out(ana_browser)

    live = LiveLine(redis_client, line.id)
    assert live.specialist(ana.id)["status"] == "on_call", "the call goes on"
    session.expire_all()
    assert session.get(Contact, contact_id).ended_at is None
    queued = Queue("calls", connection=redis_client).jobs
    assert not [job for job in queued if "hang_up" in job.func_name], "nobody is hung up"
    assert ana_browser.sign_in(ana.email).status_code == 200
    assert ana_browser.get("/api/shift").json["ending"] is True
    caller_waits(twilio)
    work(settings)
    assert ANA_PHONE not in rung(twilio_api, []), "nothing more is offered to Ana"

    caller_hangs_up(twilio, session, contact_id)

    assert live.specialist(ana.id) == {}
    assert live.present() == []
    assert ana_browser.get("/api/shift").json == {"on_shift": False, "status": "offline"}
    [mine] = ana_browser.queue()["mine"]
    assert (mine["id"], mine["state"]) == (contact_id, "wrap_up"), "she can still wrap it up"


def test_signing_out_gives_open_texts_back_to_the_line(
    twilio, session, line, ana, bo, ana_browser, bo_browser, redis_client
):
    assert ana_browser.start_shift(line.id).status_code == 200
    assert bo_browser.start_shift(line.id).status_code == 200
    contact_id = texter_sends(twilio, session, "hi, is anyone there")
    assert ana_browser.post(f"/api/contacts/{contact_id}/accept").status_code == 200

    signs_out(ana_browser)

    live = LiveLine(redis_client, line.id)
    assert contact_id in live.waiting()
    assert live.specialist(ana.id) == {}
    assert bo_browser.post(f"/api/contacts/{contact_id}/accept").status_code == 200


def test_the_sign_out_form_ends_the_shift_too(line, ana, ana_browser, redis_client):
    assert ana_browser.start_shift(line.id).status_code == 200
    response = ana_browser.client.post("/sign-out", data={"csrf_token": ana_browser.csrf})
    assert response.status_code == 302
    assert LiveLine(redis_client, line.id).present() == []


def test_a_sign_out_form_without_its_csrf_token_changes_nothing(
    line, ana, ana_browser, redis_client
):
    assert ana_browser.start_shift(line.id).status_code == 200
    assert ana_browser.client.post("/sign-out", data={}).status_code == 403
    assert LiveLine(redis_client, line.id).present() == [ana.id]
