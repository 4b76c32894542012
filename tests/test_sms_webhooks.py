"""Texters get one clear reply naming the crisis numbers, never two."""

from __future__ import annotations

import pytest

from tests import twiml
from tests.factories import LINE_NUMBER, make_line, message_sid
from tests.faults import break_redis
from warmline import wording
from warmline.crisis.scripts import interpreter_script, sms_segments

TEXTER = "+14155550188"


def text(twilio, sid=None, body="hi, is anyone there?"):
    params = {
        "MessageSid": sid or message_sid(),
        "AccountSid": "AC" + "1" * 32,
        "To": LINE_NUMBER,
        "From": TEXTER,
        "Body": body,
        "NumMedia": "0",
    }
    return twilio.post("/webhooks/sms/incoming", params)


def messages(response) -> list[str]:
    return [(m.text or "") for m in twiml.parse(response).iter("Message")]


def test_texter_is_told_the_crisis_numbers(twilio, session):
    make_line(session)
    [reply] = messages(text(twilio))
    assert "Riverside Warm Line" in reply
    assert "988" in reply and "911" in reply


def test_a_texter_writing_korean_is_answered_in_korean_with_988s_interpreters(twilio, session):
    make_line(session)
    korean = "안녕하세요, 저는 영어를 잘 못해요. 도와주실 수 있나요?"
    welcome, interpreter = messages(text(twilio, body=korean))
    assert "988" in welcome
    assert interpreter == interpreter_script("ko") and "Korean" in interpreter


def test_the_trouble_reply_fits_two_sms_segments():
    assert sms_segments(wording.fallback("trouble")) <= 2


def test_retried_text_webhook_does_not_reply_twice(twilio, session):
    make_line(session)
    sid = message_sid()
    assert len(messages(text(twilio, sid))) == 1
    assert messages(text(twilio, sid)) == []


def test_oversized_body_is_refused_clearly(twilio, session):
    make_line(session)
    response = text(twilio, body="x" * 1601)
    assert response.status_code == 400
    assert messages(response) == []


def test_text_with_redis_down_still_gets_the_crisis_numbers(twilio, app, session, tmp_path):
    make_line(session)
    break_redis(app, tmp_path)
    response = text(twilio)
    assert response.status_code == 200
    [reply] = messages(response)
    assert "988" in reply and "911" in reply and "text again" in reply


def test_stop_with_redis_down_is_answered_with_silence(twilio, app, session, tmp_path):
    make_line(session)
    break_redis(app, tmp_path)
    response = text(twilio, body="  Stop ")
    assert response.status_code == 200
    assert messages(response) == []


def test_fallback_url_texts_the_crisis_numbers(twilio):
    response = twilio.post(
        "/webhooks/fallback",
        {
            "MessageSid": message_sid(),
            "To": LINE_NUMBER,
            "From": TEXTER,
            "Body": "help",
            "ErrorCode": "11200",
        },
    )
    [reply] = messages(response)
    assert "988" in reply


@pytest.mark.parametrize("status", ["queued", "sent", "delivered", "undelivered", "failed"])
def test_delivery_reports_are_accepted(twilio, status):
    response = twilio.post(
        "/webhooks/sms/status", {"MessageSid": message_sid(), "MessageStatus": status}
    )
    assert response.status_code == 200
    twiml.parse(response)


def test_delivery_report_with_odd_status_is_refused(twilio):
    response = twilio.post(
        "/webhooks/sms/status", {"MessageSid": message_sid(), "MessageStatus": "teleported"}
    )
    assert response.status_code == 400


def test_an_opt_out_type_twilio_may_add_later_is_no_keyword(twilio, session):
    """OptOutType is STOP, START or HELP:
    https://support.twilio.com/hc/en-us/articles/31560110671259-How-to-Track-Opt-Out-Opt-In-and-Help-Messages-Using-the-OptOutType-Parameter
    """
    make_line(session)
    params = {"MessageSid": message_sid(), "To": LINE_NUMBER, "From": TEXTER,
              "Body": "I need to talk", "NumMedia": "0", "OptOutType": "SOMETHING_NEW"}  # fmt: skip
    response = twilio.post("/webhooks/sms/incoming", params)
    [welcome] = messages(response)
    assert response.status_code == 200 and "988" in welcome
