"""Closing a crisis-flagged text conversation asks for confirmation and sends the crisis numbers."""

from __future__ import annotations

import json

from rq import Queue

from tests.dashboard.test_texts import texting
from warmline.crisis.scripts import referral_script
from warmline.live import LiveLine

CRISIS_TEXT = "took all my pills an hour ago"


def texts_sent(app, line_id: int, contact_id: int) -> list[str]:
    """Open the conversation's messages from Redis, as the sending worker would."""
    services = app.extensions["warmline"]
    live = LiveLine(services.redis, line_id)
    opened = [json.loads(services.sealer.open(sealed)) for sealed in live.messages(contact_id)]
    return [message["body"] for message in opened if message["from"] == "specialist"]


def test_a_flagged_conversation_is_not_closed_without_confirmation(
    ana_browser, line, twilio, session
):
    contact_id = texting(ana_browser, line, twilio, session, CRISIS_TEXT)

    for body in (None, {}, {"confirm": False}):
        response = ana_browser.post(f"/api/contacts/{contact_id}/close", body)
        assert response.status_code == 409, body
        assert "crisis signs" in response.json["error"]
        assert "confirm: true" in response.json["error"]

    assert ana_browser.get(f"/api/contacts/{contact_id}/messages").status_code == 200
    [mine] = ana_browser.queue()["mine"]
    assert mine["state"] == "live"


def test_a_confirmed_close_sends_the_crisis_numbers_and_asks_for_a_wrap_up(
    app, ana_browser, line, twilio, session, redis_client
):
    contact_id = texting(ana_browser, line, twilio, session, CRISIS_TEXT)

    response = ana_browser.post(f"/api/contacts/{contact_id}/close", {"confirm": True})

    assert response.status_code == 200
    closing = referral_script("close_flagged", "sms", "en")
    assert "988" in closing and "741741" in closing and "911" in closing
    assert texts_sent(app, line.id, contact_id) == [closing]
    [job] = Queue("texts", connection=redis_client).jobs
    assert job.func_name == "workers.text_jobs.send_reply"
    assert ana_browser.get(f"/api/contacts/{contact_id}/messages").status_code == 404
    [mine] = ana_browser.queue()["mine"]
    assert (mine["id"], mine["state"]) == (contact_id, "wrap_up")


def test_an_unflagged_conversation_closes_at_once_with_no_closing_text(
    app, ana_browser, line, twilio, session, redis_client
):
    contact_id = texting(ana_browser, line, twilio, session)

    assert ana_browser.post(f"/api/contacts/{contact_id}/close").status_code == 200

    assert Queue("texts", connection=redis_client).jobs == []
    assert texts_sent(app, line.id, contact_id) == []


def test_confirm_must_be_true_or_false(ana_browser, line, twilio, session):
    contact_id = texting(ana_browser, line, twilio, session, CRISIS_TEXT)

    for body in ({"confirm": "yes"}, {"confirm": 1}, {"sure": True}):
        assert ana_browser.post(f"/api/contacts/{contact_id}/close", body).status_code == 400


def test_another_specialists_flagged_conversation_is_out_of_reach_and_not_told_flagged(
    ana_browser, bo_browser, line, twilio, session
):
    contact_id = texting(ana_browser, line, twilio, session, CRISIS_TEXT)
    bo_browser.start_shift(line.id)

    for body in (None, {"confirm": True}):
        response = bo_browser.post(f"/api/contacts/{contact_id}/close", body)
        assert response.status_code == 404
        assert "crisis" not in response.get_data(as_text=True)

    assert ana_browser.get(f"/api/contacts/{contact_id}/messages").status_code == 200
