"""Every /webhooks route refuses requests Twilio did not sign, and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import AUTH_TOKEN, PUBLIC_URL, Twilio
from tests.factories import LINE_NUMBER, call_sid, make_line, message_sid
from warmline.models import Contact

WEBHOOKS = {
    "/webhooks/voice/incoming": lambda: {
        "CallSid": call_sid(),
        "To": LINE_NUMBER,
        "From": "+14155550100",
        "CallStatus": "ringing",
    },
    "/webhooks/voice/status": lambda: {"CallSid": call_sid(), "CallStatus": "completed"},
    "/webhooks/sms/incoming": lambda: {
        "MessageSid": message_sid(),
        "To": LINE_NUMBER,
        "From": "+14155550100",
        "Body": "hello",
    },
    "/webhooks/sms/status": lambda: {"MessageSid": message_sid(), "MessageStatus": "sent"},
    "/webhooks/fallback": lambda: {"CallSid": call_sid(), "To": LINE_NUMBER, "ErrorCode": "11200"},
}


def contact_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Contact))


@pytest.mark.parametrize("path", WEBHOOKS)
def test_signed_request_is_answered(twilio, session, path):
    make_line(session)
    response = twilio.post(path, WEBHOOKS[path]())
    assert response.status_code == 200
    assert response.mimetype == "text/xml"


@pytest.mark.parametrize("path", WEBHOOKS)
def test_unsigned_request_is_refused(client, session, redis_client, path):
    make_line(session)
    response = client.post(path, data=WEBHOOKS[path]())
    assert response.status_code == 403
    assert contact_count(session) == 0
    assert redis_client.dbsize() == 0


@pytest.mark.parametrize("path", WEBHOOKS)
def test_request_signed_with_another_token_is_refused(client, session, redis_client, path):
    make_line(session)
    response = Twilio(client, auth_token="not-" + AUTH_TOKEN).post(path, WEBHOOKS[path]())
    assert response.status_code == 403
    assert contact_count(session) == 0
    assert redis_client.dbsize() == 0


def test_request_signed_for_another_url_is_refused(client, session, twilio, redis_client):
    make_line(session)
    params = WEBHOOKS["/webhooks/voice/incoming"]()
    signature = twilio.validator.compute_signature(PUBLIC_URL + "/webhooks/sms/incoming", params)
    response = client.post(
        "/webhooks/voice/incoming", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 403
    assert contact_count(session) == 0


def test_request_with_tampered_parameters_is_refused(client, session, twilio):
    make_line(session)
    params = WEBHOOKS["/webhooks/voice/incoming"]()
    signature = twilio.validator.compute_signature(PUBLIC_URL + "/webhooks/voice/incoming", params)
    params["From"] = "+14155550199"
    response = client.post(
        "/webhooks/voice/incoming", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 403
    assert contact_count(session) == 0


def test_query_string_is_part_of_the_signed_url(client, session, twilio):
    make_line(session)
    params = WEBHOOKS["/webhooks/voice/incoming"]()
    path = "/webhooks/voice/incoming?attempt=2"
    signed_without_query = twilio.validator.compute_signature(
        PUBLIC_URL + "/webhooks/voice/incoming", params
    )
    refused = client.post(path, data=params, headers={"X-Twilio-Signature": signed_without_query})
    assert refused.status_code == 403
    assert twilio.post(path, params).status_code == 200


def test_signature_with_default_port_is_accepted(client, session, twilio):
    make_line(session)
    params = WEBHOOKS["/webhooks/voice/incoming"]()
    signature = twilio.validator.compute_signature(
        PUBLIC_URL + ":443/webhooks/voice/incoming", params
    )
    response = client.post(
        "/webhooks/voice/incoming", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 200


def test_refusal_is_logged_without_the_parameters(client, caplog):
    with caplog.at_level("DEBUG"):
        client.post("/webhooks/sms/incoming", data={"From": "+14155550100", "Body": "secret words"})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "refused a webhook request to /webhooks/sms/incoming" in logged
    assert "secret words" not in logged
    assert "4155550100" not in logged


def test_signature_is_checked_against_the_public_url_whatever_the_host_header(
    client, session, twilio
):
    make_line(session)
    params = WEBHOOKS["/webhooks/voice/incoming"]()
    forged_host = {"Host": "attacker.example", "X-Forwarded-Host": "attacker.example"}
    signed_for_forged_host = twilio.validator.compute_signature(
        "https://attacker.example/webhooks/voice/incoming", params
    )
    refused = client.post(
        "/webhooks/voice/incoming",
        data=params,
        headers={"X-Twilio-Signature": signed_for_forged_host, **forged_host},
    )
    assert refused.status_code == 403
    assert twilio.post("/webhooks/voice/incoming", params, headers=forged_host).status_code == 200
