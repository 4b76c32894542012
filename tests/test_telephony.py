"""The one gateway speaks Twilio's REST API, to whatever base URL it is given, with a timeout."""

from __future__ import annotations

import threading
import time
import traceback
from dataclasses import replace

import pytest

from tests.fake_twilio import fake_twilio
from warmline.gateway import TwilioRefused, TwilioUnreachable
from warmline.telephony import TwilioGateway

SPECIALIST = "+14155550177"
LINE = "+15017122661"


@pytest.fixture
def twilio_api():
    with fake_twilio() as fake:
        yield fake


@pytest.fixture
def gateway(settings, twilio_api):
    return TwilioGateway(replace(settings, twilio_api_base_url=twilio_api.base_url))


def accounts_path(settings) -> str:
    return f"/2010-04-01/Accounts/{settings.twilio_account_sid}"


def test_ringing_a_specialist_creates_a_call_with_a_whisper_and_progress_callbacks(
    gateway, twilio_api, settings
):
    sid = gateway.ring_specialist(
        to=SPECIALIST,
        from_=LINE,
        url="https://x.org/whisper",
        status_callback="https://x.org/status",
        timeout_seconds=20,
    )
    assert sid.startswith("CA")
    [sent] = twilio_api.requests
    assert sent.path == f"{accounts_path(settings)}/Calls.json"
    assert sent.auth == (settings.twilio_account_sid, settings.twilio_auth_token)
    assert sent.form["To"] == [SPECIALIST]
    assert sent.form["From"] == [LINE]
    assert sent.form["Url"] == ["https://x.org/whisper"]
    assert sent.form["Timeout"] == ["20"]
    assert sent.form["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]


def test_redirect_and_hang_up_update_the_call(gateway, twilio_api, settings):
    """A redirect names its FallbackUrl: without one a failing Url is the application error.

    https://www.twilio.com/docs/voice/api/call-resource (update: FallbackUrl covers the Url).
    """
    gateway.redirect_call(
        "CA" + "a" * 32, "https://x.org/conference", fallback_url="https://x.org/fallback"
    )
    gateway.hang_up("CA" + "b" * 32)
    redirect, hang_up = twilio_api.requests
    assert redirect.path == f"{accounts_path(settings)}/Calls/CA{'a' * 32}.json"
    assert redirect.form == {
        "Url": ["https://x.org/conference"],
        "Method": ["POST"],
        "FallbackUrl": ["https://x.org/fallback"],
        "FallbackMethod": ["POST"],
    }
    assert hang_up.form == {"Status": ["completed"]}


def test_adding_a_conference_participant_uses_the_conference_name(gateway, twilio_api, settings):
    call_sid = gateway.add_conference_participant(
        conference="contact-42",
        to="+18002738255",
        from_=LINE,
        status_callback="https://x.org/status",
        timeout_seconds=30,
    )
    assert call_sid.startswith("CA")
    [sent] = twilio_api.requests
    assert sent.path == f"{accounts_path(settings)}/Conferences/contact-42/Participants.json"
    assert sent.form["EndConferenceOnExit"] == ["false"]


def test_sending_a_text_asks_for_delivery_reports(gateway, twilio_api):
    sid = gateway.send_text(
        to="+14155550123",
        from_=LINE,
        body="We're here.",
        status_callback="https://x.org/sms/status",
    )
    assert sid.startswith("SM")
    [sent] = twilio_api.requests
    assert sent.form["StatusCallback"] == ["https://x.org/sms/status"]


def test_twilio_errors_arrive_with_their_code(gateway):
    with pytest.raises(TwilioRefused) as refused:
        gateway.ring_specialist(
            to="not-a-number",
            from_=LINE,
            url="https://x.org/w",
            status_callback="https://x.org/s",
            timeout_seconds=20,
        )
    assert refused.value.code == 21211


def test_a_refusal_quotes_no_number_in_its_traceback(gateway):
    refused_number = "+14155"
    with pytest.raises(TwilioRefused) as refused:
        gateway.ring_specialist(
            to=refused_number,
            from_=LINE,
            url="https://x.org/w",
            status_callback="https://x.org/s",
            timeout_seconds=20,
        )
    told = "".join(traceback.format_exception(refused.value))
    assert "21211" in told
    assert refused_number not in told


def test_a_silent_api_does_not_hang_the_worker(settings, twilio_api):
    twilio_api.hold = threading.Event()
    gateway = TwilioGateway(
        replace(settings, twilio_api_base_url=twilio_api.base_url, twilio_timeout_seconds=0.5)
    )
    started = time.monotonic()
    with pytest.raises(TwilioUnreachable):
        gateway.send_text(to="+14155550123", from_=LINE, body="hi", status_callback="https://x")
    assert time.monotonic() - started < 10
