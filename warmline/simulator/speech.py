"""What a caller says into a phone, and what a <Gather>'s speech recognition makes of it.

Twilio's <Gather> (https://www.twilio.com/docs/voice/twiml/gather) recognises speech in the
one language its `language` attribute names (default en-US), and stops listening once the
caller has been silent for `speechTimeout` seconds ("auto": at the first pause). The simulator
reads both strictly:

- Words spoken in another language do not come through at all: the Gather carries on as if
  the caller had said nothing (keys still count, then its timeout). A real recogniser may send
  a few wrong words at a low confidence instead; an app that acts on either is wrong, and
  "nothing" is the reading that shows it soonest, since no test can pass on lucky words.
- Languages match on their first part: Spanish said with a Mexican accent ("es-MX") is heard
  by an "es-US" Gather, English is not.
- A pause as long as `speechTimeout` ends the utterance: only the words before it are sent;
  what follows is said to nobody. Without `speechTimeout`, Twilio waits `timeout` seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_LANGUAGE = "en-US"
AUTO = "auto"


@dataclass(frozen=True)
class Utterance:
    """Phrases a caller says one after another, `pause` seconds of silence between each."""

    phrases: tuple[str, ...]
    language: str = DEFAULT_LANGUAGE
    pause: float = 0.0

    @property
    def words(self) -> str:
        """Return everything said, as whoever is on the line hears it."""
        return " ".join(self.phrases)


def same_language(spoken: str, listening: str) -> bool:
    """Return whether a recogniser set to `listening` understands speech in `spoken`."""
    return _primary(spoken) == _primary(listening)


def _primary(tag: str) -> str:
    return tag.strip().replace("_", "-").split("-", 1)[0].lower()


def recognise(utterance: Utterance, *, language: str, speech_timeout: str) -> str:
    """Return the words a Gather listening in `language` sends; "" when it understood none."""
    if not same_language(utterance.language, language):
        return ""
    heard: list[str] = []
    for phrase in utterance.phrases:
        heard.append(phrase)
        if _ends_utterance(utterance.pause, speech_timeout):
            break
    return " ".join(heard)


def _ends_utterance(pause: float, speech_timeout: str) -> bool:
    if pause <= 0:
        return False
    if speech_timeout.strip().lower() == AUTO:
        return True
    try:
        allowed = float(speech_timeout)
    except ValueError:
        return True
    return pause >= allowed
