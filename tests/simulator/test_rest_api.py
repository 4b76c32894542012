"""warmline's own Twilio gateway works against the simulator's REST API."""

from __future__ import annotations

from dataclasses import replace

import pytest
from twilio.rest import Client

from tests.conftest import ACCOUNT_SID, AUTH_TOKEN
from tests.services import wait_for
from tests.simulator.conftest import serve
from warmline.gateway import TwilioRefused
from warmline.simulator import create_simulator, simulator_of
from warmline.simulator.state import APPLICATION_ERROR
from warmline.telephony import TwilioGateway

LINE = "+15017122661"
CALLER = "+14155550123"
SPECIALIST = "+14155550177"


@pytest.fixture
def api(settings, script, clock):
    """The simulator's REST API served over HTTP, its webhooks going to the script server."""
    app = create_simulator(
        webhook_base_url=script.base_url,
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        clock=clock,
    )
    with serve(app) as url:
        yield simulator_of(app), replace(settings, twilio_api_base_url=url)
    simulator_of(app).close()


@pytest.fixture
def sim(api):
    return api[0]


@pytest.fixture
def gateway(api):
    return TwilioGateway(api[1])


@pytest.fixture
def client(api):
    settings = api[1]
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token)
    client.api.base_url = settings.twilio_api_base_url
    return client


def ring(gateway, script, timeout_seconds=20):
    return gateway.ring_specialist(
        to=SPECIALIST,
        from_=LINE,
        url=script.base_url + "/whisper",
        status_callback=script.base_url + "/status",
        timeout_seconds=timeout_seconds,
    )


def statuses(script):
    return [(form["CallStatus"], form["SequenceNumber"]) for form in script.requests_to("/status")]


def test_ringing_a_specialist_reports_progress_and_plays_the_whisper(sim, gateway, script, clock):
    script["/whisper"] = "<Response><Say>A caller is waiting.</Say><Pause length='30'/></Response>"
    specialist = sim.phone(SPECIALIST).answers_after(rings=2)

    sid = ring(gateway, script)
    wait_for(lambda: specialist.ringing, timeout=10, what="the specialist's phone to ring")
    clock.advance(12)

    assert specialist.heard == ["A caller is waiting."]
    assert statuses(script) == [("initiated", "0"), ("ringing", "1"), ("in-progress", "2")]
    clock.advance(5)
    gateway.hang_up(sid)
    completed = script.requests_to("/status")[-1]
    assert completed["CallStatus"] == "completed"
    assert completed["SequenceNumber"] == "3"
    assert completed["CallDuration"] == "5"
    assert all(seen.signed for seen in script.seen)


def test_a_specialist_who_does_not_answer_is_reported_as_no_answer(sim, gateway, script, clock):
    specialist = sim.phone(SPECIALIST).never_answers()
    ring(gateway, script, timeout_seconds=20)
    wait_for(lambda: specialist.ringing, timeout=10, what="the specialist's phone to ring")

    clock.advance(20)

    assert statuses(script)[-1] == ("no-answer", "2")
    assert script.requests_to("/status")[-1]["CallDuration"] == "0"
    assert specialist.state == "idle"


def test_redirect_moves_a_live_call_to_new_twiml(sim, gateway, script, clock):
    script["/webhooks/voice/incoming"] = "<Response><Play loop='0'>hold.mp3</Play></Response>"
    script["/elsewhere"] = "<Response><Say>You have been moved.</Say></Response>"
    caller = sim.phone(CALLER)
    call = caller.dial(LINE)

    gateway.redirect_call(
        call.sid, script.base_url + "/elsewhere", fallback_url=script.base_url + "/safe"
    )

    assert caller.heard == ["You have been moved."]


def test_a_call_redirected_out_of_a_queue_reports_redirected_to_the_action_first(
    sim, gateway, script, clock
):
    """Follow https://www.twilio.com/docs/voice/twiml/enqueue (action, QueueResult).

    Dequeued by a REST API request, the action URL is requested right away, with
    QueueResult "redirected"; the call then runs the TwiML the update named.
    """
    script["/webhooks/voice/incoming"] = (
        "<Response><Enqueue action='/left' waitUrl='/hold'>line-1</Enqueue></Response>"
    )
    script["/hold"] = "<Response><Play>hold.mp3</Play></Response>"
    script["/left"] = "<Response><Say>The action's answer.</Say></Response>"
    script["/elsewhere"] = "<Response><Say>You have been moved.</Say></Response>"
    caller = sim.phone(CALLER)
    call = caller.dial(LINE)
    clock.advance(4)

    gateway.redirect_call(
        call.sid, script.base_url + "/elsewhere", fallback_url=script.base_url + "/safe"
    )

    paths = [seen.path for seen in script.seen]
    assert paths[-2:] == ["/left", "/elsewhere"]
    left = script.requests_to("/left")[0]
    assert left["QueueResult"] == "redirected"
    assert left["QueueSid"] == sim.queues.named("line-1").sid
    assert left["QueueTime"] == "4"
    assert left["CallSid"] == call.sid
    assert caller.heard == ["You have been moved."]
    assert sim.queues.named("line-1").members == []


@pytest.mark.parametrize("failure", ["status", "invalid"])
def test_a_redirect_with_a_fallback_url_uses_it_when_the_url_fails(
    sim, client, script, clock, failure
):
    """Follow https://www.twilio.com/docs/voice/api/call-resource (update, FallbackUrl).

    FallbackUrl is requested when requesting or executing the TwiML at the update's Url fails.
    """
    script["/webhooks/voice/incoming"] = "<Response><Play loop='0'>hold.mp3</Play></Response>"
    if failure == "status":
        script.failing["/elsewhere"] = 500
    else:
        script["/elsewhere"] = "<Response><Dance/></Response>"
    script["/safe"] = "<Response><Say>You are safe with us.</Say></Response>"
    caller = sim.phone(CALLER)
    call = caller.dial(LINE)

    client.calls(call.sid).update(
        url=script.base_url + "/elsewhere", fallback_url=script.base_url + "/safe"
    )

    assert caller.heard == ["You are safe with us."]
    safe = script.requests_to("/safe")[0]
    assert safe["ErrorUrl"] == script.base_url + "/elsewhere"
    assert safe["ErrorCode"] == ("11200" if failure == "status" else "12100")


def test_a_redirect_without_a_fallback_url_plays_the_application_error(sim, client, script, clock):
    """Follow https://www.twilio.com/docs/voice/api/call-resource (update, FallbackUrl).

    The fallback belongs to the update's Url: without one, a failing Url is Twilio's
    application error, not the number's own fallback.
    """
    script["/webhooks/voice/incoming"] = "<Response><Play loop='0'>hold.mp3</Play></Response>"
    script.failing["/elsewhere"] = 500
    caller = sim.phone(CALLER)
    call = caller.dial(LINE)

    client.calls(call.sid).update(url=script.base_url + "/elsewhere")

    assert caller.heard == [APPLICATION_ERROR]
    assert script.requests_to("/webhooks/fallback") == []


def test_conference_participant_joins_the_caller_waiting_in_the_room(sim, gateway, script, clock):
    script["/webhooks/voice/incoming"] = (
        "<Response><Dial><Conference>contact-42</Conference></Dial></Response>"
    )
    caller = sim.phone(CALLER)
    specialist = sim.phone(SPECIALIST).answers_after(rings=1)
    caller.dial(LINE)

    gateway.add_conference_participant(
        conference="contact-42",
        to=SPECIALIST,
        from_=LINE,
        status_callback=script.base_url + "/status",
        timeout_seconds=20,
    )
    wait_for(lambda: specialist.ringing, timeout=10, what="the specialist's phone to ring")
    clock.advance(6)

    assert caller.connected_to == [SPECIALIST]
    assert specialist.connected_to == [CALLER]


def test_texts_reach_the_phone_and_report_delivery(sim, gateway, script):
    phone = sim.phone(CALLER)

    sid = gateway.send_text(
        to=CALLER, from_=LINE, body="Hello from the line", status_callback=script.base_url + "/sms"
    )

    wait_for(lambda: len(script.requests_to("/sms")) == 2, timeout=10, what="delivery reports")
    assert [text.body for text in phone.texts] == ["Hello from the line"]
    reports = script.requests_to("/sms")
    assert [(r["MessageSid"], r["MessageStatus"]) for r in reports] == [
        (sid, "sent"),
        (sid, "delivered"),
    ]


def test_a_queue_member_can_be_taken_out_of_the_queue(sim, client, script, clock):
    script["/webhooks/voice/incoming"] = "<Response><Enqueue>line-1</Enqueue></Response>"
    script["/connect"] = "<Response><Say>Connecting you now.</Say></Response>"
    caller = sim.phone(CALLER)
    call = caller.dial(LINE)
    queue_sid = sim.queues.named("line-1").sid

    member = client.queues(queue_sid).members(call.sid).update(url=script.base_url + "/connect")

    assert member.call_sid == call.sid
    assert caller.heard == ["Connecting you now."]
    assert sim.queues.named("line-1").members == []


def test_an_invalid_to_number_is_refused_with_21211(gateway, script):
    with pytest.raises(TwilioRefused) as refused:
        gateway.send_text(to="12", from_=LINE, body="hi", status_callback=script.base_url)
    assert refused.value.code == 21211
    assert refused.value.status == 400


def test_an_unknown_call_is_404_with_20404(gateway):
    with pytest.raises(TwilioRefused) as refused:
        gateway.hang_up("CA" + "0" * 32)
    assert refused.value.code == 20404
    assert refused.value.status == 404


def test_wrong_credentials_are_refused_with_20003(api, script):
    gateway = TwilioGateway(replace(api[1], twilio_auth_token="not-the-token"))
    with pytest.raises(TwilioRefused) as refused:
        ring(gateway, script)
    assert refused.value.code == 20003
    assert refused.value.status == 401
