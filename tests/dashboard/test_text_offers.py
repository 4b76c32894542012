"""A texter offered on the dashboard through the API: passing, refusals, and what ends an offer."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.dashboard.conftest import caller_arrives, texter_sends
from tests.fake_twilio import fake_twilio
from warmline import presence
from warmline.live import LiveLine, now_ms
from workers import jobs


@pytest.fixture
def twilio_api():
    with fake_twilio() as fake:
        yield fake


@pytest.fixture
def settings(settings, twilio_api):
    return replace(settings, twilio_api_base_url=twilio_api.base_url)


def offered_to_ana(ana_browser, line, twilio, session) -> int:
    ana_browser.start_shift(line.id)
    contact_id = texter_sends(twilio, session, "hello, anyone around?")
    assert jobs.offer_contacts(line.id) == 1
    assert ana_browser.get("/api/shift").json["text_offer_contact_id"] == contact_id
    return contact_id


def test_the_offer_shows_in_the_shift_and_keeps_the_text_in_the_list(
    ana_browser, line, twilio, session, worker_runtime
):
    contact_id = offered_to_ana(ana_browser, line, twilio, session)

    [waiting] = ana_browser.queue()["waiting"]
    assert (waiting["id"], waiting["state"], waiting["takeable"]) == (contact_id, "offered", True)
    assert "4155550145" not in ana_browser.get("/api/queue").get_data(as_text=True)


def test_a_specialist_being_offered_a_text_cannot_go_on_break_or_available_first(
    ana_browser, line, twilio, session, worker_runtime
):
    offered_to_ana(ana_browser, line, twilio, session)

    for status in ("break", "available"):
        answer = ana_browser.post("/api/shift/status", {"status": status, "reason": "rest"})
        assert answer.status_code == 409


def test_passing_an_offer_that_is_not_yours_or_not_there_is_refused(
    ana_browser, bo_browser, line, twilio, session, worker_runtime
):
    contact_id = offered_to_ana(ana_browser, line, twilio, session)
    bo_browser.start_shift(line.id)

    assert bo_browser.post(f"/api/contacts/{contact_id}/pass").status_code == 409
    assert ana_browser.post("/api/contacts/999999/pass").status_code == 409
    assert ana_browser.post("/api/contacts/2147483648/pass").status_code == 404
    no_token = ana_browser.client.post(f"/api/contacts/{contact_id}/pass")
    assert no_token.status_code in {400, 403}
    assert ana_browser.get("/api/shift").json["text_offer_contact_id"] == contact_id
    passed = ana_browser.post(f"/api/contacts/{contact_id}/pass")
    assert passed.status_code == 200
    assert ana_browser.post(f"/api/contacts/{contact_id}/pass").status_code == 409


def test_passing_off_shift_is_refused(browser, ana, line):
    browser.sign_in(ana.email)
    assert browser.post("/api/contacts/1/pass").status_code == 409


def test_an_offer_nobody_answers_ends_at_the_sweep_and_an_idle_specialist_goes_on_break(
    ana_browser, line, twilio, session, worker_runtime, redis_client
):
    contact_id = offered_to_ana(ana_browser, line, twilio, session)
    live = LiveLine(redis_client, line.id)
    redis_client.zadd(live.prefix + "text_offers", {contact_id: now_ms() - 1})

    assert jobs.repair_live_state()["expired_text_offers"] == 1

    shift = ana_browser.get("/api/shift").json
    assert (shift["status"], shift["reason"]) == ("break", "missed_text_offer")
    assert shift["text_offer_contact_id"] is None
    assert live.waiting() == [contact_id]


def test_signing_off_gives_the_offered_text_to_the_next(
    ana, bo, ana_browser, bo_browser, line, twilio, session, worker_runtime, redis_client
):
    contact_id = offered_to_ana(ana_browser, line, twilio, session)
    bo_browser.start_shift(line.id)

    presence.sign_off(
        session, redis_client, worker_runtime.jobs, line_id=line.id, specialist_id=ana.id
    )
    assert jobs.offer_contacts(line.id) == 1

    assert LiveLine(redis_client, line.id).text_offered_to(contact_id) == bo.id


def test_a_text_closed_while_offered_frees_its_specialist(
    ana_browser, line, twilio, session, worker_runtime, redis_client
):
    contact_id = offered_to_ana(ana_browser, line, twilio, session)

    texter_sends(twilio, session, "STOP")

    shift = ana_browser.get("/api/shift").json
    assert (shift["status"], shift["text_offer_contact_id"]) == ("available", None)
    assert LiveLine(redis_client, line.id).text_offered_to(contact_id) is None


def test_a_crisis_text_is_offered_before_an_earlier_caller_is_rung(
    ana_browser, line, twilio, session, worker_runtime, twilio_api
):
    ana_browser.start_shift(line.id)
    caller_id = caller_arrives(twilio, session)
    crisis_id = texter_sends(twilio, session, "I want to kill myself tonight")

    assert jobs.offer_contacts(line.id) == 1

    shift = ana_browser.get("/api/shift").json
    assert (shift["text_offer_contact_id"], shift["offer_contact_id"]) == (crisis_id, None)
    assert LiveLine(worker_runtime.redis, line.id).waiting() == [crisis_id, caller_id]
    rung = [r for r in twilio_api.requests if r.path.endswith("/Calls.json")]
    assert rung == [], "nobody's phone is rung while Ana is offered the text"
