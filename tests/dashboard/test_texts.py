"""Text conversations from the dashboard: take, read, reply, close; only your own."""

from __future__ import annotations

from rq import Queue

from tests.dashboard.conftest import TEXTER, texter_sends

XSS = "<script>alert(1)</script>"


def texting(browser, line, twilio, session, body: str = "hi, is anyone there?") -> int:
    browser.start_shift(line.id)
    contact_id = texter_sends(twilio, session, body)
    assert browser.post(f"/api/contacts/{contact_id}/accept").status_code == 200
    return contact_id


def test_a_waiting_texter_shows_as_a_text_without_their_number_or_words(
    ana_browser, line, twilio, session
):
    ana_browser.start_shift(line.id)
    contact_id = texter_sends(twilio, session, "my name is Dana and I live in Springfield")
    response = ana_browser.get("/api/queue")
    [waiting] = response.json["waiting"]
    assert (waiting["id"], waiting["channel"]) == (contact_id, "sms")
    body = response.get_data(as_text=True)
    assert "Dana" not in body and "Springfield" not in body and TEXTER[2:] not in body


def test_a_texter_writing_in_a_language_the_line_does_not_speak_is_marked_so(
    ana_browser, line, twilio, session
):
    ana_browser.start_shift(line.id)
    contact_id = texter_sends(twilio, session, "Xin chào, tôi không nói được tiếng Anh, giúp tôi")
    [waiting] = ana_browser.get("/api/queue").json["waiting"]
    assert (waiting["id"], waiting["unspoken_language"]) == (contact_id, "vi")


def test_the_specialist_who_takes_a_text_reads_it_as_plain_data(ana_browser, line, twilio, session):
    contact_id = texting(ana_browser, line, twilio, session, XSS)
    [mine] = ana_browser.queue()["mine"]
    assert (mine["id"], mine["state"]) == (contact_id, "live")
    conversation = ana_browser.get(f"/api/contacts/{contact_id}/messages")
    assert conversation.mimetype == "application/json"
    message, welcome = conversation.json["messages"]
    assert (message["sender"], message["body"]) == ("texter", XSS)
    assert (welcome["sender"], welcome["kind"]) == ("line", "welcome")
    assert "988" in conversation.json["referral_script"]


def test_a_reply_is_queued_for_a_worker_and_shows_in_the_conversation(
    ana_browser, line, twilio, session, redis_client
):
    contact_id = texting(ana_browser, line, twilio, session)
    response = ana_browser.post(f"/api/contacts/{contact_id}/messages", {"body": "I'm here."})
    assert response.status_code == 201
    [job] = Queue("texts", connection=redis_client).jobs
    assert job.func_name == "workers.text_jobs.send_reply"
    senders = [
        m["sender"]
        for m in ana_browser.get(f"/api/contacts/{contact_id}/messages").json["messages"]
    ]
    assert senders == ["texter", "line", "specialist"]


def test_replies_that_are_empty_or_too_long_are_refused(ana_browser, line, twilio, session):
    contact_id = texting(ana_browser, line, twilio, session)
    for body in ("   ", "x" * 1601):
        response = ana_browser.post(f"/api/contacts/{contact_id}/messages", {"body": body})
        assert response.status_code == 400


def test_another_specialists_conversation_is_out_of_reach(
    ana_browser, bo_browser, line, twilio, session
):
    contact_id = texting(ana_browser, line, twilio, session)
    bo_browser.start_shift(line.id)
    assert bo_browser.get(f"/api/contacts/{contact_id}/messages").status_code == 404
    reply = bo_browser.post(f"/api/contacts/{contact_id}/messages", {"body": "hello"})
    assert reply.status_code == 404
    assert bo_browser.post(f"/api/contacts/{contact_id}/close").status_code == 404
    assert len(ana_browser.get(f"/api/contacts/{contact_id}/messages").json["messages"]) == 2


def test_closing_a_conversation_deletes_its_words_and_asks_for_a_wrap_up(
    ana_browser, line, twilio, session
):
    contact_id = texting(ana_browser, line, twilio, session)
    response = ana_browser.post(f"/api/contacts/{contact_id}/close")
    assert response.status_code == 200
    assert ana_browser.get(f"/api/contacts/{contact_id}/messages").status_code == 404
    [mine] = ana_browser.queue()["mine"]
    assert (mine["id"], mine["state"]) == (contact_id, "wrap_up")


def test_a_shift_ends_only_after_the_open_text_conversation(ana_browser, line, twilio, session):
    contact_id = texting(ana_browser, line, twilio, session)
    assert ana_browser.post("/api/shift/status", {"status": "break"}).status_code == 409
    assert ana_browser.post("/api/shift/end").status_code == 202
    ana_browser.post(f"/api/contacts/{contact_id}/close")
    done = ana_browser.post(
        f"/api/contacts/{contact_id}/wrap-up",
        {"topics": ["other"], "crisis_referral_offered": False, "follow_up_needed": False},
    )
    assert done.status_code == 201
    assert done.json["on_shift"] is False
