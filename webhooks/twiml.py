"""Pure TwiML builders: plain values in, an XML string out.

The words come from `warmline.wording` (data in config/scripts); these builders only put
them in order around gathers, queues, dials and conferences.
"""

from __future__ import annotations

from collections.abc import Iterable

from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from warmline import wording
from warmline.wording import Spoken

VOICES = {"en": "en-US", "es": "es-US"}
ONWARD_DIAL_TIMEOUT_SECONDS = 30
CRISIS_DIAL_TIMEOUT_SECONDS = 60
WAIT_PAUSE_SECONDS = 20
# Gather's speech recognition language for each of the line's languages, from the list
# https://www.twilio.com/docs/voice/twiml/gather links (a bare "en" is refused, error 13512):
# the line's callers are in the US, as the Say voices are.
SPEECH_LANGUAGES = {"en": "en-US", "es": "es-US"}
# Seconds of silence that end what a caller says. A person in distress stops mid-sentence to
# find the words; "auto" would send only those before the first pause ("I don't want to"), and
# Twilio refuses "auto" once a speechModel is set (warning 13335). Three seconds lets a
# sentence finish without leaving a silent caller waiting long.
SPEECH_TIMEOUT_SECONDS = 3


def _say(target: VoiceResponse | Gather, sentences: Iterable[Spoken]) -> None:
    for sentence in sentences:
        target.say(sentence.text, language=VOICES.get(sentence.language, "en-US"))


def _phrase(target: VoiceResponse | Gather, kind: str, language: str, **values: object) -> None:
    _say(target, [wording.spoken(kind, language, **values)])


def _gather(
    action: str, *, timeout: int, on_silence: bool = True, listens_in: str | None = None
) -> Gather:
    """Gather one key; with `listens_in`, spoken words in that language too.

    `on_silence` posts to the action even when nothing came. Only a menu outside Twilio's
    queue may listen for both: a waitUrl <Gather> takes one input, and keys alone keep 9
    working through the whole hold loop.
    """
    speech = (
        {}
        if listens_in is None
        else {
            "language": SPEECH_LANGUAGES.get(listens_in, SPEECH_LANGUAGES["en"]),
            "speech_timeout": SPEECH_TIMEOUT_SECONDS,
        }
    )
    return Gather(
        action=action,
        method="POST",
        input="dtmf" if listens_in is None else "dtmf speech",
        num_digits=1,
        timeout=timeout,
        action_on_empty_result=on_silence,
        **speech,
    )


def _listening(speech: bool, language: str) -> str | None:
    return language if speech else None


def _dial_onward(response: VoiceResponse, dial_number: str, language: str) -> None:
    _phrase(response, "onward", language)
    response.dial(dial_number, timeout=ONWARD_DIAL_TIMEOUT_SECONDS, answer_on_bridge=True)
    _phrase(response, "after_crisis", language)
    response.hangup()


def _to_specialist(response: VoiceResponse, kind: str) -> None:
    _say(response, [Spoken(wording.to_specialist(kind), "en")])


# When something is broken behind the webhook.


def connect_onward(line_name: str, dial_number: str, language: str = "en") -> str:
    """Tell the caller nobody can answer, name the crisis numbers, dial the overflow line."""
    response = VoiceResponse()
    _say(response, wording.opening("unavailable", language, name=line_name))
    _dial_onward(response, dial_number, language)
    return str(response)


def emergency(dial_number: str) -> str:
    """Answer a caller when something behind the webhook broke: still help, never silence."""
    response = VoiceResponse()
    _say(response, [Spoken(wording.fallback("sorry"), "en"), *wording.crisis_numbers("en")])
    _dial_onward(response, dial_number, "en")
    return str(response)


# Arrival.


def blocked() -> str:
    response = VoiceResponse()
    _say(response, wording.opening("blocked", "en"))
    response.hangup()
    return str(response)


def limited(line_name: str, crisis_url: str) -> str:
    """Say the daily limit is reached, kindly, and keep 9 for the crisis line."""
    response = VoiceResponse()
    gather = _gather(crisis_url, timeout=3)
    _say(gather, wording.opening("limited", "en", name=line_name))
    response.append(gather)
    return str(response)


def after_hours(
    line_name: str,
    script: str,
    reopens: str | None,
    crisis_url: str,
    overflow_number: str | None,
) -> str:
    """Give the hours and the crisis numbers; 9 reaches the crisis line; then overflow."""
    response = VoiceResponse()
    gather = _gather(crisis_url, timeout=3, on_silence=False)
    _phrase(gather, "closed", "en", name=line_name)
    if reopens:
        _phrase(gather, "reopens", "en", when=reopens)
    _say(gather, [Spoken(script, "en"), *wording.crisis_numbers("es")])
    response.append(gather)
    if overflow_number:
        _dial_onward(response, overflow_number, "en")
    else:
        _phrase(response, "goodbye", "en")
        response.hangup()
    return str(response)


def welcome(
    line_name: str, languages: tuple[str, ...], language: str, next_url: str, speech: bool
) -> str:
    """Greet, name the crisis line and 9, and offer the line's languages when it has several.

    A line with speech listens for crisis words here, before the caller is queued, in the
    line's first language.
    """
    response = VoiceResponse()
    gather = _gather(next_url, timeout=4, listens_in=_listening(speech, language))
    _say(gather, wording.opening("welcome", language, name=line_name))
    if len(languages) > 1:
        _say(gather, wording.language_menu(languages))
    response.append(gather)
    return str(response)


def enqueue(queue_name: str, language: str, wait_url: str, action_url: str) -> str:
    """Hold the caller in Twilio's queue with our own wait loop and exit handler."""
    response = VoiceResponse()
    _phrase(response, "hold", language)
    response.enqueue(queue_name, wait_url=wait_url, wait_url_method="POST", action=action_url)
    return str(response)


# Waiting.


def wait_cycle(
    *,
    language: str,
    key_url: str,
    position: int | None,
    average_wait_seconds: int | None,
    announce: bool,
    hold_music_url: str | None,
) -> str:
    """One turn of the hold loop: sometimes the caller's place, always a way to press 9.

    Keys only: Twilio ejects a queued caller whose wait music listens for keys and speech at
    once, and speech alone would leave 9 unheard.
    """
    response = VoiceResponse()
    gather = _gather(key_url, timeout=1, on_silence=False)
    if announce:
        if position == 1:
            _phrase(gather, "next", language)
        elif position == 2:
            _phrase(gather, "ahead_one", language)
        elif position:
            _phrase(gather, "ahead_many", language, count=position - 1)
        if average_wait_seconds:
            minutes = round(average_wait_seconds / 60)
            _phrase(gather, "average_one" if minutes <= 1 else "average", language, minutes=minutes)
        _phrase(gather, "press_9", language)
    if hold_music_url:
        gather.play(hold_music_url)
    else:
        gather.pause(length=WAIT_PAUSE_SECONDS)
    response.append(gather)
    return str(response)


def hold_on() -> str:
    """Keep a holding caller in place while something behind the wait loop recovers."""
    response = VoiceResponse()
    _phrase(response, "hold", "en")
    response.pause(length=WAIT_PAUSE_SECONDS)
    return str(response)


def leave_queue() -> str:
    response = VoiceResponse()
    response.leave()
    return str(response)


def back_to_waiting(wait_url: str) -> str:
    response = VoiceResponse()
    response.redirect(wait_url, method="POST")
    return str(response)


def overflow_menu(language: str, choice_url: str, speech: bool) -> str:
    """After the longest wait, out of the queue: keep holding, or 9 (or crisis words)."""
    response = VoiceResponse()
    gather = _gather(choice_url, timeout=6, listens_in=_listening(speech, language))
    _phrase(gather, "overflow", language)
    response.append(gather)
    return str(response)


def crisis_line(crisis_number: str, language: str) -> str:
    """Connect the caller to the crisis line, and say how to reach it if that fails."""
    response = VoiceResponse()
    _phrase(response, "crisis", language)
    response.dial(crisis_number, timeout=CRISIS_DIAL_TIMEOUT_SECONDS, answer_on_bridge=True)
    _phrase(response, "after_crisis", language)
    response.hangup()
    return str(response)


def onward(line_name: str, dial_number: str, language: str) -> str:
    return connect_onward(line_name, dial_number, language)


# Connecting.


def _conference(name: str, *, ends_with_me: bool, **dial_attributes: str) -> Dial:
    dial = Dial(**dial_attributes)
    dial.conference(
        name,
        start_conference_on_enter=True,
        end_conference_on_exit=ends_with_me,
        beep=False,
        wait_url="",
    )
    return dial


def join_as_caller(conference: str, language: str, after_url: str) -> str:
    """Bring the caller into their conference; when it ends, the after URL says goodbye."""
    response = VoiceResponse()
    _phrase(response, "connected", language)
    response.append(_conference(conference, ends_with_me=True, action=after_url))
    return str(response)


def goodbye(language: str) -> str:
    response = VoiceResponse()
    _phrase(response, "goodbye", language)
    response.hangup()
    return str(response)


def whisper(*, minutes: int, language: str, answer_url: str, ring_timeout: int) -> str:
    """Tell the specialist what is waiting, twice, before they take it: press 1 to accept."""
    sentence = Spoken(wording.whisper(minutes, language), "en")
    response = VoiceResponse()
    gather = _gather(answer_url, timeout=ring_timeout)
    _say(gather, [sentence, sentence])
    response.append(gather)
    return str(response)


def join_as_specialist(conference: str) -> str:
    response = VoiceResponse()
    _to_specialist(response, "connecting")
    response.append(_conference(conference, ends_with_me=False))
    return str(response)


def offer_missed(*, taken: bool) -> str:
    """Tell a specialist the offer is gone, and why."""
    response = VoiceResponse()
    _to_specialist(response, "taken" if taken else "on_break")
    response.hangup()
    return str(response)


def offer_failed() -> str:
    response = VoiceResponse()
    _to_specialist(response, "failed")
    response.hangup()
    return str(response)


# Text messages.


def message(text: str) -> str:
    """Reply to a text with one message."""
    response = MessagingResponse()
    response.message(text)
    return str(response)


def empty() -> str:
    """Answer without saying or sending anything."""
    return str(MessagingResponse())


def messages(texts: list[str]) -> str:
    """Reply to a text with several messages, in order; none answers silently."""
    response = MessagingResponse()
    for text in texts:
        response.message(text)
    return str(response)
