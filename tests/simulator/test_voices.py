"""A <Say> is spoken only by a voice that speaks its language, as Twilio's documents list them.

https://www.twilio.com/docs/voice/twiml/say: "Invalid combinations of voice and language (i.e.
those that aren't shown on the available voices and languages list) may result in error and
<Say> instruction failure"; the voices, language by language, are on
https://www.twilio.com/docs/voice/twiml/say/text-speech, and man, woman and alice on
https://www.twilio.com/docs/api/twiml/say. The warnings are
https://www.twilio.com/docs/api/errors/13511 (Say: Invalid voice value) and
https://www.twilio.com/docs/api/errors/13321 (Gather->Say: Invalid voice value).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from warmline.simulator import voices

LINE = "+15017122661"
CALLER = "+14155550123"
INCOMING = "/webhooks/voice/incoming"


def say(attributes: str, words: str = "You are not alone.") -> str:
    return f"<Response><Say {attributes}>{words}</Say><Say>Goodbye.</Say></Response>"


@pytest.mark.parametrize(
    "attributes",
    [
        "",  # https://www.twilio.com/docs/voice/twiml/say: "<Say> using default values"
        "voice='Polly.Joanna-Neural' language='en-US'",
        "voice='Polly.Joanna'",  # a Polly voice with no language speaks its own
        "voice='Polly.Lupe-Neural' language='es-US'",
        "voice='Polly.Mia' language='es-MX'",
        "voice='Google.es-US-Neural2-A' language='es-US'",
        "voice='Google.en-US-Standard-C'",
        "voice='woman' language='es'",  # https://www.twilio.com/docs/api/twiml/say: en, en-gb, es
        "voice='man' language='en'",
        "voice='alice' language='es-MX'",
    ],
)
def test_a_voice_in_its_own_language_is_heard(sim, script, clock, attributes):
    script[INCOMING] = say(attributes)
    caller = sim.phone(CALLER)
    call = caller.dial(LINE)
    clock.advance(10)

    assert caller.heard == ["You are not alone.", "Goodbye."]
    assert call.errors == []


@pytest.mark.parametrize(
    "attributes",
    [
        "voice='Polly.Joanna' language='es-US'",  # an English voice asked for Spanish
        "voice='Polly.Lupe' language='es-MX'",  # US Spanish is not Mexican Spanish
        "voice='Google.es-US-Standard-A' language='en-US'",
        "voice='alice' language='es-US'",  # alice lists es-MX and es-ES, not es-US
        "voice='man' language='en-US'",  # man and woman list en, en-gb, es, fr, de only
        "language='es-US'",  # no voice is Twilio's default, man, which lists "es", not "es-US"
        "voice='woman' language='es-MX'",
    ],
)
def test_a_voice_asked_for_another_language_says_nothing(sim, script, clock, attributes):
    script[INCOMING] = say(attributes)
    caller = sim.phone(CALLER)
    call = caller.dial(LINE)
    clock.advance(10)

    assert caller.heard == ["Goodbye."]
    assert call.errors == [(voices.SAY_INVALID_VOICE, script.base_url + INCOMING)]


@pytest.mark.parametrize(
    "attributes",
    [
        "language='en-XX'",  # no voice on Twilio's list speaks it
        "voice='Polly.Joanna' language='english'",
        "voice='alice' language='en-us'",  # the list's codes, as written: en-US
    ],
)
def test_a_language_twilio_does_not_list_says_nothing(sim, script, clock, attributes):
    script[INCOMING] = say(attributes)
    caller = sim.phone(CALLER)
    call = caller.dial(LINE)
    clock.advance(10)

    assert caller.heard == ["Goodbye."]
    assert [code for code, _url in call.errors] == [voices.SAY_INVALID_VOICE]


@pytest.mark.parametrize("voice", ["Polly.Nobody", "Google.en-US-Imaginary-Z", "robot", "Man"])
def test_a_voice_twilio_does_not_list_says_nothing(sim, script, clock, voice):
    script[INCOMING] = say(f"voice='{voice}'")
    caller = sim.phone(CALLER)
    call = caller.dial(LINE)
    clock.advance(10)

    assert caller.heard == ["Goodbye."]
    assert [code for code, _url in call.errors] == [voices.SAY_INVALID_VOICE]


def test_a_refused_say_repeats_nothing_however_often_it_loops(sim, script, clock):
    script[INCOMING] = say("voice='Polly.Joanna' language='es-US' loop='3'")
    caller = sim.phone(CALLER)
    call = caller.dial(LINE)
    clock.advance(10)

    assert caller.heard == ["Goodbye."]
    assert len(call.errors) == 1


def test_a_say_inside_a_gather_is_noted_with_the_gather_warning(sim, script):
    """https://www.twilio.com/docs/api/errors/13321: Gather->Say: Invalid voice value."""
    script[INCOMING] = "<Response/>"
    call = sim.phone(CALLER).dial(LINE)
    nested = ET.fromstring("<Say voice='Polly.Lupe' language='en-US'>Press 9.</Say>")

    assert voices.refused(sim.webhooks, call, nested, in_gather=True)
    assert [code for code, _url in call.errors] == [voices.GATHER_SAY_INVALID_VOICE]


def test_every_voice_the_simulator_knows_speaks_exactly_one_listed_language():
    table = voices.documented()
    assert set(table.spoken_in.values()) == {"en-US", "es-US", "es-MX"}
    for voice, language in table.spoken_in.items():
        provider, _dot, name = voice.partition(".")
        assert provider in {"Polly", "Google"} and name
        if provider == "Google":
            # Google's voice names carry their language: Google.es-US-Neural2-A speaks es-US.
            assert name.startswith(f"{language}-")


def test_a_mismatched_say_inside_a_gather_is_not_heard_and_the_gather_still_listens(
    sim, script, clock
):
    script[INCOMING] = (
        "<Response><Gather action='/pressed' numDigits='1'>"
        "<Say voice='Polly.Lupe' language='en-US'>Press 9.</Say><Say>Or hold on.</Say>"
        "</Gather></Response>"
    )
    script["/pressed"] = "<Response><Say>You pressed a key.</Say></Response>"
    caller = sim.phone(CALLER)
    call = caller.dial(LINE)
    clock.advance(1)
    caller.press("9")
    clock.advance(5)

    assert caller.heard == ["Or hold on.", "You pressed a key."]
    assert [code for code, _url in call.errors] == [voices.GATHER_SAY_INVALID_VOICE]
