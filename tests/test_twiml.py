"""TwiML builders put the words from config/scripts around gathers, dials and queues."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from tests.factories import LINE_NUMBER, call_sid, make_line, message_sid
from warmline import wording
from warmline.models import WEEKDAYS
from warmline.simulator import voices as simulator_voices
from warmline.simulator.documents import Document, check_wait_music
from webhooks import twiml

# 20:00 on Wednesday 2 December in New York, already Thursday in UTC: the hours between the
# two midnights are when a reopening worked out in UTC said "today" for tomorrow.
EVENING_IN_NEW_YORK = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
NINE_TO_FIVE = {weekday: [["09:00", "17:00"]] for weekday in WEEKDAYS}


def parse(xml: str) -> ET.Element:
    root = ET.fromstring(xml)
    assert root.tag == "Response"
    return root


def said(element: ET.Element) -> list[tuple[str, str]]:
    return [(say.text or "", say.get("language", "")) for say in element.iter("Say")]


def test_welcome_names_988_and_9_inside_the_gather_and_offers_each_language():
    root = parse(twiml.welcome("Riverside", ("en", "es"), "en", "/next", True))
    gather = root.find("Gather")
    sentences = said(gather)
    assert sentences[0] == (wording.spoken("welcome", "en", name="Riverside").text, "en-US")
    assert "9 8 8" in sentences[0][0] and "Press 9" in sentences[0][0]
    assert ("Para español, marque 2.", "es-US") in sentences
    assert gather.get("input") == "dtmf speech" and gather.get("numDigits") == "1"


def test_a_spanish_caller_is_greeted_and_told_the_crisis_numbers_in_spanish():
    root = parse(twiml.connect_onward("Riverside", "+15555550100", "es"))
    languages = {language for _text, language in said(root)}
    assert languages == {"es-US"}
    assert [d.text for d in root.iter("Dial")] == ["+15555550100"]


def test_after_hours_says_when_the_line_reopens_then_the_script_then_spanish_numbers():
    script = wording.spoken("goodbye", "en").text
    root = parse(
        twiml.after_hours("Riverside", script, "tomorrow at 9 AM", "/crisis", "+15555550100")
    )
    sentences = said(root.find("Gather"))
    assert sentences == [
        (wording.spoken("closed", "en", name="Riverside").text, "en-US"),
        ("We are open again tomorrow at 9 AM.", "en-US"),
        (script, "en-US"),
        (wording.crisis_numbers("es")[0].text, "es-US"),
    ]
    assert [d.text for d in root.iter("Dial")] == ["+15555550100"]


def test_hold_loop_gives_the_place_and_the_wait_and_always_9():
    root = parse(
        twiml.wait_cycle(
            language="es",
            key_url="/key",
            position=3,
            average_wait_seconds=300,
            announce=True,
            hold_music_url=None,
        )
    )
    assert [text for text, _language in said(root)] == [
        "Hay 2 personas antes que usted.",
        "La espera ahora es de unos 5 minutos.",
        wording.spoken("press_9", "es").text,
    ]


def hold_loop_turns() -> list[str]:
    """Every document the hold loop can play to a queued caller."""
    turns = [
        twiml.wait_cycle(
            language=language,
            key_url="/key",
            position=position,
            average_wait_seconds=300,
            announce=announce,
            hold_music_url=music,
        )
        for language in ("en", "es")
        for position in (None, 1, 4)
        for announce in (True, False)
        for music in (None, "https://example.org/hold.mp3")
    ]
    return [*turns, twiml.hold_on("/key"), twiml.leave_queue(), twiml.back_to_waiting("/wait")]


def test_every_turn_of_the_hold_loop_is_wait_music_twilio_plays():
    """https://www.twilio.com/docs/voice/twiml/enqueue: waitUrl verbs, Gather for one input."""
    for turn in hold_loop_turns():
        check_wait_music(Document("/wait", parse(turn)))


def test_the_hold_loop_listens_for_keys_alone_so_9_works_throughout():
    """https://www.twilio.com/docs/voice/twiml/enqueue: input="dtmf speech" ejects a caller."""
    gathers = [gather for turn in hold_loop_turns() for gather in parse(turn).iter("Gather")]
    assert gathers
    for gather in gathers:
        assert gather.get("input") == "dtmf"
        assert gather.get("numDigits") == "1"
        assert gather.get("speechTimeout") is None


@pytest.mark.parametrize(("language", "listens_in"), [("en", "en-US"), ("es", "es-US")])
def test_a_line_with_speech_listens_at_the_greeting_in_the_callers_language(language, listens_in):
    """https://www.twilio.com/docs/voice/twiml/gather: language, speechTimeout in seconds."""
    gather = parse(twiml.welcome("Riverside", (language,), language, "/next", True)).find("Gather")
    assert gather.get("input") == "dtmf speech"
    assert gather.get("language") == listens_in
    assert gather.get("speechTimeout") == str(twiml.SPEECH_TIMEOUT_SECONDS)
    assert gather.get("numDigits") == "1"


def test_a_line_with_speech_listens_at_the_overflow_menu_in_the_callers_language():
    """https://www.twilio.com/docs/voice/twiml/gather: the caller has left the queue by now."""
    gather = parse(twiml.overflow_menu("es", "/choice", True)).find("Gather")
    assert gather.get("input") == "dtmf speech"
    assert gather.get("language") == "es-US"
    assert gather.get("speechTimeout") == "3"


def test_a_line_without_speech_listens_for_keys_alone_at_its_menus():
    for menu in (
        twiml.welcome("Riverside", ("en", "es"), "en", "/next", False),
        twiml.overflow_menu("en", "/choice", False),
    ):
        gather = parse(menu).find("Gather")
        assert gather.get("input") == "dtmf"
        assert gather.get("language") is None


def test_whisper_is_said_twice_inside_the_gather_for_the_ring_time():
    root = parse(twiml.whisper(minutes=3, language="en", answer_url="/a", ring_timeout=20))
    gather = root.find("Gather")
    text = "Warm line call, waiting 3 minutes, in English. Press 1 to accept."
    assert said(gather) == [(text, "en-US"), (text, "en-US")]
    assert gather.get("timeout") == "20"


@pytest.fixture
def evening_in_new_york(monkeypatch):
    """Let the webhooks see 20:00 in New York, whatever the hour the tests run at."""
    monkeypatch.setattr("webhooks.voice.utcnow", lambda: EVENING_IN_NEW_YORK)
    monkeypatch.setattr("webhooks.sms.utcnow", lambda: EVENING_IN_NEW_YORK)


def test_an_evening_caller_hears_the_line_reopens_tomorrow(twilio, session, evening_in_new_york):
    make_line(session, timezone="America/New_York", opening_hours=NINE_TO_FIVE)
    params = {"CallSid": call_sid(), "To": LINE_NUMBER, "From": "+14155550123"}
    response = twilio.post("/webhooks/voice/incoming", params)
    sentences = [text for text, _language in said(parse(response.get_data(as_text=True)))]
    assert "We are open again tomorrow at 9 AM." in sentences


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("hi, is anyone there?", "We open again tomorrow at 9 AM."),
        ("hola, necesito hablar con alguien por favor", "Abrimos de nuevo manana a las 09:00."),
    ],
)
def test_an_evening_texter_reads_the_line_reopens_tomorrow(
    twilio, session, evening_in_new_york, body, expected
):
    make_line(session, timezone="America/New_York", opening_hours=NINE_TO_FIVE)
    params = {
        "MessageSid": message_sid(),
        "To": LINE_NUMBER,
        "From": "+14155550188",
        "Body": body,
        "NumMedia": "0",
    }
    response = twilio.post("/webhooks/sms/incoming", params)
    [closed] = [m.text for m in parse(response.get_data(as_text=True)).iter("Message")]
    assert closed.endswith(expected)


# Voices: https://www.twilio.com/docs/voice/twiml/say -- a <Say> whose voice does not speak its
# language fails, and the caller hears nothing; the voices by language are on
# https://www.twilio.com/docs/voice/twiml/say/text-speech.

CHOSEN_VOICES = {"en": "Polly.Stephen-Neural", "es": "Polly.Miguel"}


def every_voice_document(language: str, voices) -> dict[str, str]:
    """Build every caller's and specialist's TwiML, in `language`, for a line's voices."""
    return {
        "connect_onward": twiml.connect_onward(
            "Riverside", "+15555550100", language, voices=voices
        ),
        "emergency": twiml.emergency("+15555550100"),
        "blocked": twiml.blocked("/crisis", voices=voices),
        "limited": twiml.limited("Riverside", "/crisis", voices=voices),
        "after_hours": twiml.after_hours(
            "Riverside", "Goodbye.", "tomorrow at 9 AM", "/crisis", None, voices=voices
        ),
        "welcome": twiml.welcome(
            "Riverside", ("en", "es"), language, "/next", False, voices=voices
        ),
        "welcome_on_hold": twiml.welcome_on_hold(
            "Riverside", ("en", "es"), language, "/key", voices=voices
        ),
        "wait_cycle": twiml.wait_cycle(
            language=language,
            first_turn=True,
            key_url="/key",
            position=3,
            average_wait_seconds=300,
            announce=True,
            hold_music_url=None,
            voices=voices,
        ),
        "hold_on": twiml.hold_on("/key"),
        "overflow_menu": twiml.overflow_menu(language, "/choice", False, voices=voices),
        "crisis_line": twiml.crisis_line("+18002738255", language, voices=voices),
        "onward": twiml.onward("Riverside", "+15555550100", language, voices=voices),
        "connecting": twiml.connecting(language, "/connect", voices=voices),
        "join_as_caller": twiml.join_as_caller(
            "room", language, "/after", "/connect", voices=voices
        ),
        "goodbye": twiml.goodbye(language, "/crisis", voices=voices),
        "whisper": twiml.whisper(minutes=3, language=language, answer_url="/a", ring_timeout=20),
        "join_as_specialist": twiml.join_as_specialist("room"),
        "offer_missed": twiml.offer_missed(taken=True),
        "offer_failed": twiml.offer_failed(),
    }


@pytest.mark.parametrize("voices", [twiml.NO_CHOICE, CHOSEN_VOICES], ids=["defaults", "chosen"])
@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_every_say_names_a_voice_twilio_lists_for_its_language(language, voices):
    for name, xml in every_voice_document(language, voices).items():
        for say in parse(xml).iter("Say"):
            assert say.get("voice") and say.get("language"), (name, say.attrib)
            assert simulator_voices.refusal(say) is None, (name, say.attrib)


def test_a_lines_chosen_voice_reads_its_own_language_and_no_other():
    root = parse(
        twiml.welcome(
            "Riverside", ("en", "es"), "es", "/next", False, voices={"es": "Polly.Miguel"}
        )
    )
    voices = {(say.get("language"), say.get("voice")) for say in root.iter("Say")}
    assert voices == {("es-US", "Polly.Miguel"), ("en-US", "Polly.Joanna-Neural")}


def test_a_stored_voice_for_the_wrong_language_is_never_spoken():
    root = parse(twiml.goodbye("es", "/crisis", voices={"es": "Polly.Joanna-Neural"}))
    [say] = root.iter("Say")
    assert (say.get("language"), say.get("voice")) == ("es-US", "Polly.Lupe-Neural")


# Press 9 at every point (issue 13): every sentence a caller hears is inside a <Gather> whose
# action takes 9 to the crisis line. NINE stands for the URL each webhook gives its builder
# for that: the language and overflow answers, the hold loop's key URL, /crisis after a
# closing message, /connect while being connected (tests/e2e/test_nine.py presses 9 at each).
# https://www.twilio.com/docs/voice/twiml/gather: keys pressed during nested <Say>/<Pause>
# are gathered; a key pressed outside a <Gather> is heard by nothing.
NINE = "/nine"


def documents_that_listen_for_9(language: str) -> dict[str, str]:
    """Every caller's document whose every sentence must listen for 9."""
    closed = {
        f"after_hours{'' if reopens else '_no_reopening'}": twiml.after_hours(
            "Riverside", "Goodbye.", reopens, NINE, None
        )
        for reopens in ("tomorrow at 9 AM", None)
    }
    hold_loop = {
        f"wait_cycle_{position}_{announce}_{first_turn}": twiml.wait_cycle(
            language=language,
            first_turn=first_turn,
            key_url=NINE,
            position=position,
            average_wait_seconds=300,
            announce=announce,
            hold_music_url=None,
        )
        for position in (None, 1, 2, 4)
        for announce in (True, False)
        for first_turn in (True, False)
    }
    return {
        "welcome": twiml.welcome("Riverside", ("en", "es"), language, NINE, False),
        "welcome_speech": twiml.welcome("Riverside", (language,), language, NINE, True),
        "blocked": twiml.blocked(NINE),
        "limited": twiml.limited("Riverside", NINE),
        **closed,
        "welcome_on_hold": twiml.welcome_on_hold("Riverside", ("en", "es"), language, NINE),
        "welcome_on_hold_one_language": twiml.welcome_on_hold(
            "Riverside", (language,), language, NINE
        ),
        **hold_loop,
        "hold_on": twiml.hold_on(NINE),
        "overflow_menu": twiml.overflow_menu(language, NINE, True),
        "connecting": twiml.connecting(language, NINE),
        "join_as_caller": twiml.join_as_caller("room", language, "/after", NINE),
        "goodbye": twiml.goodbye(language, NINE),
    }


def heard_outside_a_gather(root: ET.Element) -> list[str]:
    inside = {id(say) for gather in root.iter("Gather") for say in gather.iter("Say")}
    return [say.text or "" for say in root.iter("Say") if id(say) not in inside]


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_sentence_a_caller_hears_is_inside_a_gather_that_takes_9(language):
    for name, xml in documents_that_listen_for_9(language).items():
        root = parse(xml)
        assert heard_outside_a_gather(root) == [], name
        gathers = list(root.iter("Gather"))
        assert gathers, name
        for gather in gathers:
            assert gather.get("action") == NINE, name
            assert "dtmf" in gather.get("input", "").split(), name
            assert gather.get("numDigits") == "1", name


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_only_sentences_outside_a_gather_come_as_the_caller_is_dialled_to_help(language):
    """The exceptions, where the next step is help itself and so honours 9.

    crisis_line: said as the crisis line is dialled, and after it if it failed. connect_onward,
    onward and emergency (nobody can answer, or something broke): the caller is dialled to
    the overflow line or, without one, the crisis line, at once. after_hours with an overflow
    line: the same dial after the closed message.
    """
    onward = wording.spoken("onward", language).text
    after_crisis = wording.spoken("after_crisis", language).text
    crisis = wording.spoken("crisis", language).text
    dialled = {
        "crisis_line": (twiml.crisis_line("+18002738255", language), [crisis, after_crisis]),
        "onward": (
            twiml.onward("Riverside", "+15555550100", language),
            [
                *[s.text for s in wording.opening("unavailable", language, name="Riverside")],
                onward,
                after_crisis,
            ],
        ),
        "emergency": (
            twiml.emergency("+15555550100"),
            [
                wording.fallback("sorry"),
                *[s.text for s in wording.crisis_numbers("en")],
                wording.spoken("onward", "en").text,
                wording.spoken("after_crisis", "en").text,
            ],
        ),
        "after_hours_overflow": (
            twiml.after_hours("Riverside", "Goodbye.", None, NINE, "+15555550100"),
            [wording.spoken("onward", "en").text, wording.spoken("after_crisis", "en").text],
        ),
    }
    for name, (xml, outside) in dialled.items():
        root = parse(xml)
        assert heard_outside_a_gather(root) == outside, name
        [dial] = root.iter("Dial")
        assert dial.text in {"+18002738255", "+15555550100"}, name


def test_a_caller_hears_connected_only_with_the_conference_after_it():
    """Connecting: "one moment" and a loop back; connected: the sentence, then the room."""
    waiting = parse(twiml.connecting("en", "/connect"))
    assert [child.tag for child in waiting] == ["Gather", "Redirect"]
    assert said(waiting) == [(wording.spoken("connecting", "en").text, "en-US")]
    assert waiting.find("Redirect").text == "/connect"
    assert waiting.find("Dial") is None
    joined = parse(twiml.join_as_caller("room", "en", "/after", "/connect"))
    assert [child.tag for child in joined] == ["Gather", "Dial"]
    assert said(joined) == [(wording.spoken("connected", "en").text, "en-US")]
    assert joined.find("Dial/Conference").text == "room"


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_caller_put_through_on_a_monitored_line_hears_again_that_a_supervisor_may_listen(
    language,
):
    """Before the <Conference>: no supervisor can listen before the caller has heard it."""
    notice = wording.spoken("monitoring", language).text
    plain = ET.fromstring(twiml.join_as_caller("c-1", language, "/after", "/connect"))
    monitored = ET.fromstring(
        twiml.join_as_caller("c-1", language, "/after", "/connect", monitored=True)
    )

    said = [say.text for say in monitored.iter("Say")]
    assert notice in said and notice not in [say.text for say in plain.iter("Say")]
    assert [child.tag for child in monitored] == ["Gather", "Dial"]
