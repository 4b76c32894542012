"""What Twilio lets a queue's wait music do, and how its speech recognition listens.

Enqueue: https://www.twilio.com/docs/voice/twiml/enqueue (waitUrl: Play, Say, Pause, Hangup,
Redirect, Leave and Gather only, a Gather with input="dtmf" or input="speech"; the action URL's
QueueResult values, "error" among them).
Gather: https://www.twilio.com/docs/voice/twiml/gather (language, default en-US; speechTimeout,
seconds of silence after speech or "auto"; actionOnEmptyResult).
"""

from __future__ import annotations

import logging

import pytest

LINE = "+15017122661"
CALLER = "+14155550123"
INCOMING = "/webhooks/voice/incoming"
ENQUEUE = "<Response><Enqueue waitUrl='/wait' action='/left'>line-1</Enqueue></Response>"


def hold_with(script, wait_music: str) -> None:
    script[INCOMING] = ENQUEUE
    script["/wait"] = wait_music


def listen_with(script, gather_attributes: str) -> None:
    script[INCOMING] = f"<Response><Gather {gather_attributes} action='/heard'/></Response>"


# -- Enqueue waitUrl ---------------------------------------------------------------------------


@pytest.mark.parametrize("listens", ["dtmf speech", "speech dtmf", "speech  dtmf"])
def test_wait_music_listening_for_keys_and_speech_at_once_ejects_the_caller(
    sim, script, caplog, listens
):
    """https://www.twilio.com/docs/voice/twiml/enqueue: a waitUrl <Gather> takes one input."""
    hold_with(
        script,
        f"<Response><Gather input='{listens}' numDigits='1' action='/pressed'>"
        "<Say>Press 9 for crisis help.</Say></Gather></Response>",
    )
    caller = sim.phone(CALLER)
    caplog.set_level(logging.WARNING, logger="warmline.simulator")

    call = caller.dial(LINE)

    assert script.requests_to("/left")[0]["QueueResult"] == "error"
    assert sim.queues.named("line-1").members == []
    assert caller.heard == []
    assert call.errors == [(12100, script.base_url + "/wait")]
    assert 'only input="dtmf" or input="speech"' in caplog.text
    assert CALLER not in caplog.text


@pytest.mark.parametrize(
    "verb",
    [
        "<Dial>+15005550006</Dial>",
        "<Enqueue>line-2</Enqueue>",
        "<Record/>",
        "<Reject/>",
        "<Message>hello</Message>",
    ],
)
def test_a_verb_twilio_does_not_list_for_wait_music_ejects_the_caller(sim, script, caplog, verb):
    """https://www.twilio.com/docs/voice/twiml/enqueue: only the listed verbs play on hold."""
    hold_with(script, f"<Response><Say>Please hold.</Say>{verb}</Response>")
    caplog.set_level(logging.WARNING, logger="warmline.simulator")

    call = sim.phone(CALLER).dial(LINE)

    [left] = script.requests_to("/left")
    assert left["QueueResult"] == "error"
    assert sim.phone(CALLER).heard == []
    assert call.errors == [(12100, script.base_url + "/wait")]
    assert "is not allowed in an Enqueue waitUrl document" in caplog.text


def test_wait_music_redirected_to_a_document_with_a_dial_ejects_the_caller(sim, script):
    """https://www.twilio.com/docs/voice/twiml/enqueue: every waitUrl document is held to it."""
    hold_with(script, "<Response><Redirect>/more-music</Redirect></Response>")
    script["/more-music"] = "<Response><Dial>+15005550006</Dial></Response>"

    call = sim.phone(CALLER).dial(LINE)

    assert script.requests_to("/left")[0]["QueueResult"] == "error"
    assert call.errors == [(12100, script.base_url + "/more-music")]


def test_an_ejected_caller_goes_where_the_action_url_says(sim, script):
    """https://www.twilio.com/docs/voice/twiml/enqueue: the action URL's TwiML runs next."""
    hold_with(script, "<Response><Gather input='dtmf speech'/></Response>")
    script["/left"] = "<Response><Say>Sending you on.</Say></Response>"
    caller = sim.phone(CALLER)

    caller.dial(LINE)

    assert caller.heard == ["Sending you on."]


@pytest.mark.parametrize("listens", ["", "input='dtmf'"])
def test_wait_music_listening_for_keys_alone_hears_9(sim, script, clock, listens):
    """https://www.twilio.com/docs/voice/twiml/enqueue: Gather input="dtmf" is allowed."""
    hold_with(
        script,
        f"<Response><Gather {listens} numDigits='1' action='/pressed'>"
        "<Say>Press 9 for crisis help.</Say><Pause length='20'/></Gather></Response>",
    )
    script["/pressed"] = "<Response><Leave/></Response>"
    caller = sim.phone(CALLER)
    call = caller.dial(LINE)
    clock.advance(3)

    caller.press("9")

    assert script.requests_to("/pressed")[0]["Digits"] == "9"
    assert script.requests_to("/left")[0]["QueueResult"] == "leave"
    assert call.errors == []


def test_wait_music_listening_for_speech_alone_hears_words(sim, script):
    """https://www.twilio.com/docs/voice/twiml/enqueue: Gather input="speech" is allowed."""
    hold_with(
        script,
        "<Response><Gather input='speech' action='/said'><Pause length='20'/></Gather></Response>",
    )
    script["/said"] = "<Response><Leave/></Response>"
    caller = sim.phone(CALLER)
    call = caller.dial(LINE)

    caller.say("I need to talk to someone")

    assert script.requests_to("/said")[0]["SpeechResult"] == "I need to talk to someone"
    assert script.requests_to("/left")[0]["QueueResult"] == "leave"
    assert call.errors == []


# -- Gather language ---------------------------------------------------------------------------


def test_spanish_words_on_a_gather_left_at_en_us_do_not_come_through(sim, script, clock):
    """https://www.twilio.com/docs/voice/twiml/gather: language defaults to en-US."""
    listen_with(script, "input='speech' actionOnEmptyResult='true' timeout='3'")
    caller = sim.phone(CALLER)
    caller.dial(LINE)

    caller.say("ya no quiero vivir", language="es-MX")
    clock.advance(3)

    [heard] = script.requests_to("/heard")
    assert "SpeechResult" not in heard


def test_spanish_words_on_an_english_gather_leave_it_waiting_for_keys(sim, script):
    """https://www.twilio.com/docs/voice/twiml/gather: one language is recognised."""
    listen_with(script, "input='dtmf speech' language='en-US' numDigits='1'")
    caller = sim.phone(CALLER)
    caller.dial(LINE)

    caller.say("necesito ayuda", language="es-US")
    caller.press("9")

    [heard] = script.requests_to("/heard")
    assert heard["Digits"] == "9"
    assert "SpeechResult" not in heard


def test_unheard_words_with_nothing_else_fall_through_to_the_next_verb(sim, script, clock):
    """https://www.twilio.com/docs/voice/twiml/gather: no input, no actionOnEmptyResult."""
    script[INCOMING] = (
        "<Response><Gather input='speech' action='/heard'/>"
        "<Say>We did not hear from you.</Say></Response>"
    )
    caller = sim.phone(CALLER)
    caller.dial(LINE)

    caller.say("necesito ayuda", language="es-US")
    clock.advance(5)

    assert script.requests_to("/heard") == []
    assert caller.heard == ["We did not hear from you."]


def test_spanish_words_on_a_spanish_gather_come_through_whatever_the_accent(sim, script):
    """https://www.twilio.com/docs/voice/twiml/gather: language names the speech's language."""
    listen_with(script, "input='speech' language='es-US'")
    caller = sim.phone(CALLER)
    caller.dial(LINE)

    caller.say("ya no quiero vivir", language="es-MX")

    assert script.requests_to("/heard")[0]["SpeechResult"] == "ya no quiero vivir"


def test_english_words_on_a_spanish_gather_do_not_come_through(sim, script, clock):
    """https://www.twilio.com/docs/voice/twiml/gather: only the Gather's language is heard."""
    listen_with(script, "input='speech' language='es-MX' actionOnEmptyResult='true'")
    caller = sim.phone(CALLER)
    caller.dial(LINE)

    caller.say("I need help")
    clock.advance(5)

    assert "SpeechResult" not in script.requests_to("/heard")[0]


# -- Gather speechTimeout ----------------------------------------------------------------------


def test_a_pause_as_long_as_the_speech_timeout_cuts_the_sentence(sim, script):
    """https://www.twilio.com/docs/voice/twiml/gather: speechTimeout ends speech input."""
    listen_with(script, "input='speech' speechTimeout='3'")
    caller = sim.phone(CALLER)
    caller.dial(LINE)

    caller.say("I don't want to", "be here anymore", pause=3)

    assert script.requests_to("/heard")[0]["SpeechResult"] == "I don't want to"


def test_a_pause_shorter_than_the_speech_timeout_keeps_the_sentence_whole(sim, script):
    """https://www.twilio.com/docs/voice/twiml/gather: speechTimeout, in seconds."""
    listen_with(script, "input='speech' speechTimeout='3'")
    caller = sim.phone(CALLER)
    caller.dial(LINE)

    caller.say("I don't want to", "be here anymore", pause=2)

    assert script.requests_to("/heard")[0]["SpeechResult"] == "I don't want to be here anymore"


def test_speech_timeout_auto_stops_at_the_first_pause(sim, script):
    """https://www.twilio.com/docs/voice/twiml/gather: "auto" stops at a pause in speech."""
    listen_with(script, "input='speech' speechTimeout='auto'")
    caller = sim.phone(CALLER)
    caller.dial(LINE)

    caller.say("I don't want to", "be here anymore", pause=0.5)

    assert script.requests_to("/heard")[0]["SpeechResult"] == "I don't want to"


def test_without_a_speech_timeout_the_gather_timeout_ends_speech(sim, script):
    """https://www.twilio.com/docs/voice/twiml/gather: timeout, default 5 s, bounds silence."""
    listen_with(script, "input='speech' timeout='2'")
    caller = sim.phone(CALLER)
    caller.dial(LINE)

    caller.say("I feel", "so alone", pause=2)

    assert script.requests_to("/heard")[0]["SpeechResult"] == "I feel"


def test_whoever_is_connected_hears_every_word_the_recogniser_cut(sim, script):
    """Recognition cuts what the app gets, never what the caller said (the transcript)."""
    listen_with(script, "input='speech' speechTimeout='auto'")
    caller = sim.phone(CALLER)
    caller.dial(LINE)

    caller.say("I feel", "so alone", pause=1)

    assert caller.transcript[-1].words == "I feel so alone"
