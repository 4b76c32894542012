"""The interpreter follows Twilio's documented TwiML semantics on hand-written documents."""

from __future__ import annotations

from tests.services import wait_for
from warmline.simulator import APPLICATION_ERROR

LINE = "+15017122661"
CALLER = "+14155550123"
AGENT = "+14155550166"
SPECIALIST = "+14155550177"
INCOMING = "/webhooks/voice/incoming"


def test_incoming_call_posts_twilio_parameters_signed(sim, script):
    sim.phone(CALLER).dial(LINE)
    [seen] = [seen for seen in script.seen if seen.path == INCOMING]
    assert seen.signed
    assert seen.form["From"] == CALLER
    assert seen.form["To"] == LINE
    assert seen.form["CallStatus"] == "ringing"
    assert seen.form["Direction"] == "inbound"
    assert seen.form["ApiVersion"] == "2010-04-01"
    assert seen.form["CallSid"].startswith("CA")
    assert "FromCity" in seen.form


def test_gather_sends_digits_when_num_digits_are_pressed(sim, script):
    script[INCOMING] = (
        "<Response><Gather numDigits='1' action='/menu'><Say>Press 9 for crisis help.</Say>"
        "</Gather></Response>"
    )
    caller = sim.phone(CALLER)
    caller.dial(LINE)

    caller.press("9")

    assert caller.heard == ["Press 9 for crisis help."]
    assert script.requests_to("/menu")[0]["Digits"] == "9"


def test_gather_stops_at_the_finish_key(sim, script):
    script[INCOMING] = "<Response><Gather action='/pin'/></Response>"
    caller = sim.phone(CALLER)
    caller.dial(LINE)

    caller.press("12#")

    assert script.requests_to("/pin")[0]["Digits"] == "12"


def test_gather_submits_partial_digits_after_the_timeout(sim, script, clock):
    script[INCOMING] = "<Response><Gather timeout='3' action='/pin'/></Response>"
    caller = sim.phone(CALLER)
    caller.dial(LINE)
    caller.press("4")

    clock.advance(2)
    assert script.requests_to("/pin") == []
    clock.advance(1)
    assert script.requests_to("/pin")[0]["Digits"] == "4"


def test_silent_caller_falls_through_to_the_next_verb(sim, script, clock):
    script[INCOMING] = (
        "<Response><Gather action='/menu'><Say>Press 1.</Say></Gather>"
        "<Say>We did not hear from you.</Say></Response>"
    )
    caller = sim.phone(CALLER)
    caller.dial(LINE)

    caller.stay_silent(10)

    assert caller.heard == ["Press 1.", "We did not hear from you."]
    assert script.requests_to("/menu") == []


def test_action_on_empty_result_reports_silence(sim, script, clock):
    script[INCOMING] = "<Response><Gather actionOnEmptyResult='true' action='/menu'/></Response>"
    sim.phone(CALLER).dial(LINE)

    clock.advance(5)

    assert script.requests_to("/menu")[0]["Digits"] == ""


def test_speech_is_sent_with_a_confidence(sim, script):
    script[INCOMING] = "<Response><Gather input='speech dtmf' action='/heard'/></Response>"
    caller = sim.phone(CALLER)
    caller.dial(LINE)

    caller.say("I just need someone to talk to")

    form = script.requests_to("/heard")[0]
    assert form["SpeechResult"] == "I just need someone to talk to"
    assert 0 < float(form["Confidence"]) <= 1


def test_enqueued_caller_hears_wait_music_with_queue_details_and_can_leave(sim, script, clock):
    script[INCOMING] = (
        "<Response><Enqueue waitUrl='/wait' action='/left'>line-1</Enqueue></Response>"
    )
    script["/wait"] = lambda form: (
        "<Response><Leave/></Response>"
        if int(form["QueueTime"]) >= 20
        else f"<Response><Say>You are number {form['QueuePosition']}.</Say>"
        "<Pause length='10'/></Response>"
    )
    caller = sim.phone(CALLER)
    caller.dial(LINE)

    clock.advance(30)

    waits = script.requests_to("/wait")
    assert [form["QueueTime"] for form in waits] == ["0", "11", "23"]
    assert waits[0]["QueuePosition"] == "1"
    assert waits[0]["CurrentQueueSize"] == "1"
    assert {"AvgQueueTime", "MaxQueueSize", "QueueSid"} <= waits[0].keys()
    assert caller.heard == ["You are number 1."] * 2
    assert script.requests_to("/left")[0]["QueueResult"] == "leave"
    assert sim.queues.named("line-1").members == []


def test_caller_pressing_a_key_in_the_wait_music_reaches_its_action(sim, script, clock):
    script[INCOMING] = "<Response><Enqueue waitUrl='/wait'>line-1</Enqueue></Response>"
    script["/wait"] = (
        "<Response><Gather numDigits='1' action='/pressed'><Say>Press 9 for crisis help."
        "</Say></Gather></Response>"
    )
    script["/pressed"] = "<Response><Leave/></Response>"
    caller = sim.phone(CALLER)
    caller.dial(LINE)

    caller.press("9")

    assert script.requests_to("/pressed")[0]["Digits"] == "9"
    assert caller.state == "idle"


def test_agent_dialling_the_queue_is_connected_to_the_front_caller(sim, script, clock):
    script[INCOMING] = "<Response><Enqueue action='/done'>line-1</Enqueue></Response>"
    caller = sim.phone(CALLER)
    agent = sim.phone(AGENT)
    caller.dial(LINE)
    script[INCOMING] = (
        "<Response><Dial><Queue url='/about-to-connect'>line-1</Queue></Dial></Response>"
    )
    script["/about-to-connect"] = "<Response><Say>Connecting you.</Say></Response>"

    agent.dial(LINE)
    clock.advance(5)

    assert caller.heard == ["Connecting you."]
    assert caller.connected_to == [AGENT]
    agent.hang_up()
    assert script.requests_to("/done")[0]["QueueResult"] == "bridged"


def test_dial_rings_out_after_its_timeout_and_twilios_buffer(sim, script, clock):
    """A dialled leg is an outgoing call: "We always add a 5-second timeout buffer to outgoing
    calls" (https://www.twilio.com/docs/voice/api/conference-participant-resource, Timeout)."""
    script[INCOMING] = (
        f"<Response><Dial timeout='10' action='/dialled'>{SPECIALIST}</Dial></Response>"
    )
    sim.phone(SPECIALIST).never_answers()
    sim.phone(CALLER).dial(LINE)

    clock.advance(14)
    assert script.requests_to("/dialled") == []
    clock.advance(1)

    assert script.requests_to("/dialled")[0]["DialCallStatus"] == "no-answer"
    assert sim.phone(SPECIALIST).state == "idle"


def test_dial_reports_a_busy_phone(sim, script):
    script[INCOMING] = f"<Response><Dial action='/dialled'>{SPECIALIST}</Dial></Response>"
    sim.phone(SPECIALIST).is_busy()
    sim.phone(CALLER).dial(LINE)

    assert script.requests_to("/dialled")[0]["DialCallStatus"] == "busy"


def test_whisper_plays_to_the_answering_phone_before_connecting(sim, script, clock):
    script[INCOMING] = (
        "<Response><Dial answerOnBridge='true' action='/dialled'>"
        f"<Number url='/whisper'>{SPECIALIST}</Number></Dial></Response>"
    )
    script["/whisper"] = "<Response><Say>Warm line caller.</Say></Response>"
    caller = sim.phone(CALLER)
    specialist = sim.phone(SPECIALIST).answers_after(rings=1)
    call = caller.dial(LINE)
    assert call.status == "ringing"

    clock.advance(10)

    assert specialist.heard == ["Warm line caller."]
    assert caller.heard == []
    assert call.status == "in-progress"
    assert caller.connected_to == [SPECIALIST]
    clock.advance(50)
    specialist.hang_up()
    dialled = script.requests_to("/dialled")[0]
    assert dialled["DialCallStatus"] == "completed"
    assert int(dialled["DialCallDuration"]) >= 50


def test_redirect_fetches_the_next_document(sim, script):
    script[INCOMING] = "<Response><Redirect>/next</Redirect><Say>Never heard.</Say></Response>"
    script["/next"] = "<Response><Say>Next document.</Say></Response>"
    caller = sim.phone(CALLER)
    caller.dial(LINE)

    assert caller.heard == ["Next document."]


def test_hangup_ends_the_call_and_reports_its_duration(sim, script, clock):
    script[INCOMING] = "<Response><Pause length='7'/><Hangup/></Response>"
    call = sim.phone(CALLER).dial(LINE)

    clock.advance(7)

    assert call.status == "completed"
    [completed] = script.requests_to("/webhooks/voice/status")
    assert completed["CallStatus"] == "completed"
    assert completed["CallDuration"] == "7"
    assert completed["SequenceNumber"] == "0"


def test_reject_leaves_the_call_unanswered(sim, script):
    script[INCOMING] = "<Response><Reject reason='busy'/></Response>"
    call = sim.phone(CALLER).dial(LINE)
    assert call.status == "busy"
    assert call.answered_at is None


def test_invalid_twiml_plays_the_application_error(sim, script):
    script[INCOMING] = "<Response><Say>unclosed</Response>"
    script.failing["/webhooks/fallback"] = 500
    caller = sim.phone(CALLER)
    call = caller.dial(LINE)

    assert caller.heard == [APPLICATION_ERROR]
    assert [code for code, _ in call.errors] == [12100, 11200]
    assert call.ended


def test_a_failing_handler_falls_back_to_the_fallback_url(sim, script):
    script.failing[INCOMING] = 500
    script["/webhooks/fallback"] = "<Response><Say>Fallback help.</Say></Response>"
    caller = sim.phone(CALLER)
    call = caller.dial(LINE)

    assert caller.heard == ["Fallback help."]
    [fallback] = script.requests_to("/webhooks/fallback")
    assert fallback["ErrorCode"] == "11200"
    assert fallback["ErrorUrl"].endswith(INCOMING)
    assert call.errors == [(11200, script.base_url + INCOMING)]


def test_unknown_verbs_are_invalid_twiml(sim, script):
    script[INCOMING] = "<Response><Shout>hello</Shout></Response>"
    script.failing["/webhooks/fallback"] = 500
    call = sim.phone(CALLER).dial(LINE)
    assert call.errors[0][0] == 12100


def test_texts_get_the_message_reply(sim, script):
    script["/webhooks/sms/incoming"] = "<Response><Message>We got your text.</Message></Response>"
    texter = sim.phone(CALLER)

    texter.send_text(LINE, "hi")

    wait_for(sim.idle, timeout=10, what="the reply to be delivered")
    [sent] = script.requests_to("/webhooks/sms/incoming")
    assert sent["Body"] == "hi"
    assert sent["NumMedia"] == "0"
    assert sent["NumSegments"] == "1"
    assert [text.body for text in texter.texts] == ["hi", "We got your text."]
