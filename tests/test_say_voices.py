"""Every <Say> a voice webhook answers names a voice that speaks the <Say>'s language.

https://www.twilio.com/docs/voice/twiml/say: "If you are using both the language and voice
attributes, ensure that the voice value you use is available for the language. Invalid
combinations of voice and language ... may result in error and <Say> instruction failure" --
the caller hears nothing. The voices, by language, are on
https://www.twilio.com/docs/voice/twiml/say/text-speech. Each <Say> is checked against the
simulator's own reading of those pages (warmline/simulator/voices.yml), not the app's.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests import twiml
from tests.factories import LINE_NUMBER, OVERFLOW_NUMBER, call_sid, make_line, make_specialist
from tests.factories import on_shift as start_shift
from tests.faults import break_database, break_redis
from warmline.simulator import voices as simulator_voices

CALLER = "+14155550123"
CHOSEN = {"en": "Polly.Matthew-Neural", "es": "Polly.Pedro-Neural"}
# The locale each language's <Say> names, and the voice this line chose for it.
CHOSEN_BY_LOCALE = {"en-US": "Polly.Matthew-Neural", "es-US": "Polly.Pedro-Neural"}
VOICE_ROUTES = [
    "/webhooks/voice/incoming",
    "/webhooks/voice/language?contact=1",
    "/webhooks/voice/crisis?contact=1",
    "/webhooks/voice/wait?line=1&contact=1",
    "/webhooks/voice/wait/key?line=1&contact=1",
    "/webhooks/voice/queue/exit?contact=1",
    "/webhooks/voice/overflow?contact=1",
    "/webhooks/voice/connect?contact=1",
    "/webhooks/voice/after?contact=1",
    "/webhooks/voice/goodbye?contact=1",
    "/webhooks/voice/offer/whisper?contact=1&specialist=1",
    "/webhooks/voice/offer/answer?contact=1&specialist=1",
    "/webhooks/fallback",
]


def says(response) -> list[ET.Element]:
    return list(twiml.parse(response).iter("Say"))


def assert_every_say_is_speakable(response) -> None:
    for say in says(response):
        assert say.get("voice"), f"a <Say> without a voice is Twilio's man: {say.text!r}"
        assert simulator_voices.refusal(say) is None, say.attrib


def call_in(twilio, **extra):
    params = {
        "CallSid": call_sid(),
        "AccountSid": "AC" + "1" * 32,
        "To": LINE_NUMBER,
        "From": CALLER,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        **extra,
    }
    return twilio.post("/webhooks/voice/incoming", params)


@pytest.mark.parametrize("broken", ["nothing", "database", "redis"])
@pytest.mark.parametrize("path", VOICE_ROUTES)
def test_every_voice_webhook_says_its_words_in_a_voice_for_their_language(
    twilio, app, session, tmp_path, path, broken
):
    make_line(session, languages=["en", "es"], voices=CHOSEN)
    if broken == "database":
        break_database(app)
    if broken == "redis":
        break_redis(app, tmp_path)
    params = {
        "CallSid": call_sid(),
        "To": LINE_NUMBER,
        "From": CALLER,
        "CallStatus": "in-progress",
        "Digits": "9",
        "QueueResult": "leave",
        "QueueTime": "30",
        "ErrorUrl": "https://example.org/webhooks/voice/wait?line=1&contact=1",
    }
    response = twilio.post(path, params)

    assert response.status_code == 200
    assert_every_say_is_speakable(response)


def test_a_caller_hears_the_voices_the_line_chose_from_greeting_to_hold(twilio, app, session):
    line = make_line(session, languages=["en", "es"], voices=CHOSEN)
    start_shift(app, session, line, make_specialist(session, line, languages=["es"]))
    contact_id = twiml.held_contact(twiml.parse(call_in(twilio)))
    hold = f"/webhooks/voice/wait?line={line.id}&contact={contact_id}"
    turn = {"CallSid": call_sid(), "QueuePosition": "1", "QueueTime": "5", "AvgQueueTime": "240"}
    greeting = twilio.post(hold, turn)
    assert {(s.get("language"), s.get("voice")) for s in says(greeting)} == set(
        CHOSEN_BY_LOCALE.items()
    )

    path = twiml.parse(greeting).find("Gather").get("action")
    twilio.post(path, {"CallSid": call_sid(), "Digits": "2"})
    waiting = twilio.post(hold, turn)

    assert says(waiting)
    assert {s.get("voice") for s in says(waiting)} == {"Polly.Pedro-Neural"}
    assert_every_say_is_speakable(waiting)


def test_a_line_that_chose_nothing_is_read_in_the_documented_defaults(twilio, session):
    make_line(session, languages=["en", "es"], overflow_number=OVERFLOW_NUMBER, speech_enabled=True)
    response = call_in(twilio)

    assert {(s.get("language"), s.get("voice")) for s in says(response)} == {
        ("en-US", "Polly.Joanna-Neural"),
        ("es-US", "Polly.Lupe-Neural"),
    }
    assert_every_say_is_speakable(response)
