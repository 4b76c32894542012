"""Pure TwiML builders: plain values in, an XML string out.

The words come from `warmline.wording` (data in config/scripts); these builders only put
them in order around gathers, queues, dials and conferences.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from warmline import wording
from warmline.voices import locale, speaker
from warmline.wording import Spoken

# A line's voice for each language it chose one for; the rest are read in their default voice.
Voices = Mapping[str, str]
NO_CHOICE: Voices = MappingProxyType({})
ONWARD_DIAL_TIMEOUT_SECONDS = 30
CRISIS_DIAL_TIMEOUT_SECONDS = 60
WAIT_PAUSE_SECONDS = 20
# How long a caller welcomed on hold has to press a language's number before the next turn
# settles on the language they were welcomed in (a key pressed later still switches).
LANGUAGE_PAUSE_SECONDS = 3
# Seconds of silence that end what a caller says. A person in distress stops mid-sentence to
# find the words; "auto" would send only those before the first pause ("I don't want to"), and
# Twilio refuses "auto" once a speechModel is set (warning 13335). Three seconds lets a
# sentence finish without leaving a silent caller waiting long.
SPEECH_TIMEOUT_SECONDS = 3


def _say(target: VoiceResponse | Gather, sentences: Iterable[Spoken], chosen: Voices) -> None:
    """Say each sentence in a voice that speaks its language, as Twilio requires."""
    for sentence in sentences:
        reader = speaker(sentence.language, chosen)
        target.say(sentence.text, voice=reader.voice, language=reader.locale)


def _phrase(
    target: VoiceResponse | Gather, kind: str, language: str, chosen: Voices, **values: object
) -> None:
    _say(target, [wording.spoken(kind, language, **values)], chosen)


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
            "language": locale(listens_in),
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


def _dial_onward(response: VoiceResponse, dial_number: str, language: str, chosen: Voices) -> None:
    _phrase(response, "onward", language, chosen)
    response.dial(dial_number, timeout=ONWARD_DIAL_TIMEOUT_SECONDS, answer_on_bridge=True)
    _phrase(response, "after_crisis", language, chosen)
    response.hangup()


def _to_specialist(response: VoiceResponse, kind: str) -> None:
    _say(response, [Spoken(wording.to_specialist(kind), "en")], NO_CHOICE)


# When something is broken behind the webhook.


def connect_onward(
    line_name: str, dial_number: str, language: str = "en", *, voices: Voices = NO_CHOICE
) -> str:
    """Tell the caller nobody can answer, name the crisis numbers, dial the overflow line."""
    response = VoiceResponse()
    _say(response, wording.opening("unavailable", language, name=line_name), voices)
    _dial_onward(response, dial_number, language, voices)
    return str(response)


def emergency(dial_number: str) -> str:
    """Answer a caller when something behind the webhook broke: still help, never silence."""
    response = VoiceResponse()
    sentences = [Spoken(wording.fallback("sorry"), "en"), *wording.crisis_numbers("en")]
    _say(response, sentences, NO_CHOICE)
    _dial_onward(response, dial_number, "en", NO_CHOICE)
    return str(response)


# Arrival.


def blocked(crisis_url: str, *, voices: Voices = NO_CHOICE) -> str:
    """Say the line cannot take the call, kindly; 9 still reaches the crisis line."""
    response = VoiceResponse()
    gather = _gather(crisis_url, timeout=3, on_silence=False)
    _say(gather, wording.opening("blocked", "en"), voices)
    _phrase(gather, "press_9", "en", voices)
    response.append(gather)
    response.hangup()
    return str(response)


def limited(line_name: str, crisis_url: str, *, voices: Voices = NO_CHOICE) -> str:
    """Say the daily limit is reached, kindly, and keep 9 for the crisis line."""
    response = VoiceResponse()
    gather = _gather(crisis_url, timeout=3)
    _say(gather, wording.opening("limited", "en", name=line_name), voices)
    response.append(gather)
    return str(response)


def after_hours(
    line_name: str,
    script: str,
    reopens: str | None,
    crisis_url: str,
    overflow_number: str | None,
    *,
    voices: Voices = NO_CHOICE,
) -> str:
    """Give the hours and the crisis numbers; 9 reaches the crisis line; then overflow."""
    response = VoiceResponse()
    gather = _gather(crisis_url, timeout=3, on_silence=False)
    _phrase(gather, "closed", "en", voices, name=line_name)
    if reopens:
        _phrase(gather, "reopens", "en", voices, when=reopens)
    _say(gather, [Spoken(script, "en"), *wording.crisis_numbers("es")], voices)
    response.append(gather)
    if overflow_number:
        _dial_onward(response, overflow_number, "en", voices)
    else:
        _goodbye(response, "en", crisis_url, voices)
    return str(response)


def _welcome(monitored: bool) -> str:
    return "welcome_monitored" if monitored else "welcome"


def welcome(
    line_name: str,
    languages: tuple[str, ...],
    language: str,
    next_url: str,
    speech: bool,
    *,
    monitored: bool = False,
    voices: Voices = NO_CHOICE,
) -> str:
    """Greet, name the crisis line and 9, and offer the line's languages when it has several.

    A line with speech listens for crisis words here, before the caller is queued, in the
    line's first language. A monitored line says that a supervisor may listen.
    """
    response = VoiceResponse()
    gather = _gather(next_url, timeout=4, listens_in=_listening(speech, language))
    _say(gather, wording.opening(_welcome(monitored), language, name=line_name), voices)
    if len(languages) > 1:
        _say(gather, wording.language_menu(languages, language), voices)
    response.append(gather)
    return str(response)


def enqueue(queue_name: str, wait_url: str, action_url: str) -> str:
    """Hold the caller in Twilio's queue with our own wait loop and exit handler.

    Nothing is said before it: every word on hold comes from the wait loop, which listens
    for 9 throughout.
    """
    response = VoiceResponse()
    response.enqueue(queue_name, wait_url=wait_url, wait_url_method="POST", action=action_url)
    return str(response)


def welcome_on_hold(
    line_name: str,
    languages: tuple[str, ...],
    language: str,
    key_url: str,
    *,
    monitored: bool = False,
    voices: Voices = NO_CHOICE,
) -> str:
    """A caller's first turn on hold: the welcome (saying that a supervisor may listen, on a
    monitored line) and, on a line of several languages, a prompt for each other one, with
    a moment to press it before the next turn."""
    response = VoiceResponse()
    gather = _gather(key_url, timeout=1, on_silence=False)
    _say(gather, wording.opening(_welcome(monitored), language, name=line_name), voices)
    if len(languages) > 1:
        _say(gather, wording.language_menu(languages, language), voices)
        gather.pause(length=LANGUAGE_PAUSE_SECONDS)
    response.append(gather)
    return str(response)


# Waiting.


def wait_cycle(
    *,
    language: str,
    first_turn: bool = False,
    key_url: str,
    position: int | None,
    average_wait_seconds: int | None,
    announce: bool,
    hold_music_url: str | None,
    voices: Voices = NO_CHOICE,
    callback_key: str | None = None,
) -> str:
    """One turn of the hold loop: sometimes the caller's place, always a way to press 9.

    The first turn that tells the caller their place first asks them to stay on the line; a
    turn that tells it offers a call back, with `callback_key`, when the line offers one.
    Keys only: Twilio ejects a queued caller whose wait music listens for keys and speech at
    once, and speech alone would leave 9 unheard.
    """
    response = VoiceResponse()
    gather = _gather(key_url, timeout=1, on_silence=False)
    if announce and first_turn:
        _phrase(gather, "hold", language, voices)
    if announce:
        if position == 1:
            _phrase(gather, "next", language, voices)
        elif position == 2:
            _phrase(gather, "ahead_one", language, voices)
        elif position:
            _phrase(gather, "ahead_many", language, voices, count=position - 1)
        if average_wait_seconds:
            minutes = round(average_wait_seconds / 60)
            kind = "average_one" if minutes <= 1 else "average"
            _phrase(gather, kind, language, voices, minutes=minutes)
        _phrase(gather, "press_9", language, voices)
        if callback_key:
            _phrase(gather, "callback_offer", language, voices, key=callback_key)
    if hold_music_url:
        gather.play(hold_music_url)
    else:
        gather.pause(length=WAIT_PAUSE_SECONDS)
    response.append(gather)
    return str(response)


def hold_on(key_url: str) -> str:
    """Keep a holding caller in place while something behind the wait loop recovers.

    Keys still go to the hold loop's key URL, so 9 works while it does.
    """
    response = VoiceResponse()
    gather = _gather(key_url, timeout=1, on_silence=False)
    _phrase(gather, "hold", "en", NO_CHOICE)
    gather.pause(length=WAIT_PAUSE_SECONDS)
    response.append(gather)
    return str(response)


def leave_queue() -> str:
    response = VoiceResponse()
    response.leave()
    return str(response)


def back_to_waiting(wait_url: str) -> str:
    response = VoiceResponse()
    response.redirect(wait_url, method="POST")
    return str(response)


def overflow_menu(
    language: str, choice_url: str, speech: bool, *, voices: Voices = NO_CHOICE
) -> str:
    """After the longest wait, out of the queue: keep holding, or 9 (or crisis words)."""
    response = VoiceResponse()
    gather = _gather(choice_url, timeout=6, listens_in=_listening(speech, language))
    _phrase(gather, "overflow", language, voices)
    response.append(gather)
    return str(response)


def callback_confirmed(language: str, crisis_url: str, *, voices: Voices = NO_CHOICE) -> str:
    """Confirm the call back from the line's number, name the crisis numbers, and end the call.

    9 while it is said still reaches the crisis line.
    """
    response = VoiceResponse()
    gather = _gather(crisis_url, timeout=1, on_silence=False)
    _phrase(gather, "callback_confirmed", language, voices)
    _say(gather, wording.crisis_numbers(language), voices)
    _phrase(gather, "press_9", language, voices)
    response.append(gather)
    response.hangup()
    return str(response)


def callback_intro(
    line_name: str, language: str, connect_url: str, *, voices: Voices = NO_CHOICE
) -> str:
    """Say who is calling a caller back, with 988 and 9, then put them through."""
    response = VoiceResponse()
    gather = _gather(connect_url, timeout=1, on_silence=False)
    _say(gather, wording.opening("callback", language, name=line_name), voices)
    response.append(gather)
    response.redirect(connect_url, method="POST")
    return str(response)


def crisis_line(
    crisis_number: str, language: str, *, voices: Voices = NO_CHOICE, dial: bool = True
) -> str:
    """Connect the caller to the crisis line, and say how to reach it if that fails.

    A practice call (`dial` false) hears the same words, and the crisis line is not dialled.
    """
    response = VoiceResponse()
    _phrase(response, "crisis", language, voices)
    if dial:
        response.dial(crisis_number, timeout=CRISIS_DIAL_TIMEOUT_SECONDS, answer_on_bridge=True)
    _phrase(response, "after_crisis", language, voices)
    response.hangup()
    return str(response)


def onward(line_name: str, dial_number: str, language: str, *, voices: Voices = NO_CHOICE) -> str:
    return connect_onward(line_name, dial_number, language, voices=voices)


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


def connecting(language: str, connect_url: str, *, voices: Voices = NO_CHOICE) -> str:
    """Hold a caller whose specialist's phone is still ringing: one moment, 9 for help.

    Keys go to `connect_url`, which sends 9 to the crisis line; the loop asks it again until
    the specialist answers (a worker redirects the caller there as soon as they do).
    """
    response = VoiceResponse()
    gather = _gather(connect_url, timeout=1, on_silence=False)
    _phrase(gather, "connecting", language, voices)
    gather.pause(length=WAIT_PAUSE_SECONDS)
    response.append(gather)
    response.redirect(connect_url, method="POST")
    return str(response)


def join_as_caller(
    conference: str,
    language: str,
    after_url: str,
    connect_url: str,
    *,
    monitored: bool = False,
    voices: Voices = NO_CHOICE,
) -> str:
    """Tell the caller they are connected and bring them into their conference.

    The sentence listens for 9 (at `connect_url`); when the conference ends, the after URL
    says goodbye. On a monitored line it says again that a supervisor may listen: a caller
    put through during the welcome may not have heard it whole.
    """
    response = VoiceResponse()
    gather = _gather(connect_url, timeout=1, on_silence=False)
    _phrase(gather, "connected", language, voices)
    if monitored:
        _phrase(gather, "monitoring", language, voices)
    response.append(gather)
    response.append(_conference(conference, ends_with_me=True, action=after_url))
    return str(response)


def goodbye(language: str, crisis_url: str, *, voices: Voices = NO_CHOICE) -> str:
    """Say goodbye, with 9 8 8 for later; 9 while it is said still reaches the crisis line."""
    response = VoiceResponse()
    _goodbye(response, language, crisis_url, voices)
    return str(response)


def _goodbye(response: VoiceResponse, language: str, crisis_url: str, voices: Voices) -> None:
    gather = _gather(crisis_url, timeout=1, on_silence=False)
    _phrase(gather, "goodbye", language, voices)
    response.append(gather)
    response.hangup()


# How long a caller has to press a key at a survey question before it counts as no answer.
SURVEY_TIMEOUT_SECONDS = 6


def survey_question(
    text: str,
    language: str,
    answer_url: str,
    speech: bool,
    *,
    voices: Voices = NO_CHOICE,
) -> str:
    """Ask one feedback question on the keypad; a key (9 included) or silence goes on.

    Silence posts too (an empty answer), so it is asked once more and then thanked, never
    left hanging; a line with speech listens for crisis words as at every menu.
    """
    response = VoiceResponse()
    gather = _gather(
        answer_url, timeout=SURVEY_TIMEOUT_SECONDS, listens_in=_listening(speech, language)
    )
    _say(gather, [Spoken(text, language)], voices)
    response.append(gather)
    return str(response)


def survey_thanks(text: str, language: str, crisis_url: str, *, voices: Voices = NO_CHOICE) -> str:
    """Thank the caller for answering, with 9 8 8 for later; 9 still reaches the crisis line."""
    response = VoiceResponse()
    gather = _gather(crisis_url, timeout=1, on_silence=False)
    _say(gather, [Spoken(text, language)], voices)
    response.append(gather)
    response.hangup()
    return str(response)


def whisper(
    *, minutes: int, language: str, answer_url: str, ring_timeout: int, callback: bool = False
) -> str:
    """Tell the specialist what is waiting, twice, before they take it: press 1 to accept.

    A caller to call back is said so.
    """
    sentence = Spoken(wording.whisper(minutes, language, callback=callback), "en")
    response = VoiceResponse()
    gather = _gather(answer_url, timeout=ring_timeout)
    _say(gather, [sentence, sentence], NO_CHOICE)
    response.append(gather)
    return str(response)


def join_as_specialist(conference: str, *, calling_back: bool = False) -> str:
    """Bring the specialist into the conversation's conference, where a call back reaches."""
    response = VoiceResponse()
    _to_specialist(response, "calling_back" if calling_back else "connecting")
    response.append(_conference(conference, ends_with_me=False))
    return str(response)


def offer_missed(*, taken: bool) -> str:
    """Tell a specialist the offer is gone, and why."""
    response = VoiceResponse()
    _to_specialist(response, "taken" if taken else "on_break")
    response.hangup()
    return str(response)


def hang_up() -> str:
    """End the call without a word."""
    response = VoiceResponse()
    response.hangup()
    return str(response)


# What a specialist hears when the caller they accepted is gone, by `calls.Gone` value; an
# unknown reason (a forged or stale URL) still ends their call politely.
_GONE = {"hung_up": "caller_hung_up", "crisis": "caller_to_crisis"}


def caller_gone(why: str) -> str:
    """Tell the specialist why the caller they accepted will not be put through; hang up."""
    response = VoiceResponse()
    _to_specialist(response, _GONE.get(why, "failed"))
    response.hangup()
    return str(response)


def callback_unreached(*, given_up: bool) -> str:
    """Tell the specialist nobody answered the call back, and whether the line tries again."""
    response = VoiceResponse()
    _to_specialist(response, "callback_given_up" if given_up else "callback_retrying")
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
