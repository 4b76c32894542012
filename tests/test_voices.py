"""Each language a line speaks is read in a voice Twilio documents for it, by default or by choice.

https://www.twilio.com/docs/voice/twiml/say/text-speech lists the voices by language; a <Say>
whose voice does not speak its language fails (https://www.twilio.com/docs/voice/twiml/say).
The app's table (config/voices.yml) is checked against the simulator's independent reading.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.factories import make_line
from warmline import voices, wording
from warmline.simulator import voices as simulator_voices


def simulator_refuses(voice: str, locale: str) -> str | None:
    return simulator_voices.refusal(ET.Element("Say", voice=voice, language=locale))


def test_every_language_with_spoken_words_has_a_reading():
    assert set(wording.shipped().languages("calls")) <= set(voices.readings())


@pytest.mark.parametrize("language", sorted(voices.readings()))
def test_every_voice_a_coordinator_may_choose_speaks_the_language_it_is_offered_for(language):
    reading = voices.readings()[language]
    assert reading.default in reading.voices
    for voice in reading.voices:
        assert simulator_refuses(voice, reading.locale) is None, voice


def test_twilios_own_voices_are_not_offered_for_the_lines_locales():
    offered = {voice for reading in voices.readings().values() for voice in reading.voices}
    assert not offered & {"man", "woman", "alice"}


def test_a_language_without_its_own_reading_is_read_like_english():
    assert voices.speaker("fr") == voices.speaker("en")
    assert voices.speaker("fr", {"en": "Polly.Matthew-Neural"}).voice == "Polly.Matthew-Neural"
    assert voices.locale("es") == "es-US"


@pytest.mark.parametrize(
    ("chosen", "reason"),
    [
        ({"es": "Polly.Joanna-Neural"}, "not one of the voices that speak US Spanish"),
        ({"en": "Polly.Lupe"}, "not one of the voices that speak US English"),
        ({"es": "Polly.Mia"}, "US Spanish"),  # Mexican Spanish, not the line's US Spanish
        ({"en": "man"}, "US English"),
        ({"fr": "Polly.Celine"}, "no voices are listed for the language 'fr'"),
    ],
)
def test_a_line_cannot_keep_a_voice_for_the_wrong_language(session, chosen, reason):
    with pytest.raises(ValueError, match=reason):
        make_line(session, voices=chosen)


def test_a_line_keeps_the_voices_it_chose(session):
    line = make_line(session, voices={"es": "Polly.Pedro-Neural"})
    session.expire_all()
    assert line.voices == {"es": "Polly.Pedro-Neural"}
