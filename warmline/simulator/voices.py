"""Which voice speaks which language: a <Say> whose voice and language do not go together fails.

Twilio's <Say> page: "Invalid combinations of voice and language (i.e. those that aren't shown
on the available voices and languages list) may result in error and <Say> instruction failure."
The simulator reads "may" strictly: such a <Say> is not spoken, and the call's notifications get
Twilio's warning for an invalid voice (13511, or 13321 inside a <Gather>); the call goes on to
the next verb. Twilio lists no warning of its own for a <Say> language, so a language no voice
speaks is an invalid combination too.
"""

from __future__ import annotations

import functools
import logging
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib import resources

import yaml

from warmline.simulator.state import Call
from warmline.simulator.webhook_client import WebhookClient

log = logging.getLogger(__name__)

# https://www.twilio.com/docs/api/errors/13511 and /13321
SAY_INVALID_VOICE = 13511
GATHER_SAY_INVALID_VOICE = 13321
# https://www.twilio.com/docs/voice/twiml/say: "voice ... Default value: man".
DEFAULT_VOICE = "man"


@dataclass(frozen=True)
class Voices:
    """The documented voices: Twilio's own with their languages, the rest by language."""

    basic: dict[str, tuple[str, ...]]
    spoken_in: dict[str, str]

    def refusal(self, voice: str, language: str | None) -> str | None:
        """Say why `voice` cannot speak `language` (None: the voice's own), or None if it can."""
        if voice in self.basic:
            if language is None or language in self.basic[voice]:
                return None
            return f"voice {voice!r} does not speak {language!r}"
        if voice not in self.spoken_in:
            return f"voice {voice!r} is not a documented voice"
        if language is None or language == self.spoken_in[voice]:
            return None
        return f"voice {voice!r} speaks {self.spoken_in[voice]!r}, not {language!r}"


@functools.cache
def documented() -> Voices:
    """Load the simulator's table of Twilio's voices (voices.yml, beside this module)."""
    table = yaml.safe_load(
        resources.files("warmline.simulator").joinpath("voices.yml").read_text("utf-8")
    )
    return Voices(
        basic={voice: tuple(languages) for voice, languages in table["basic"].items()},
        spoken_in={
            voice: language for language, names in table["languages"].items() for voice in names
        },
    )


def refusal(say: ET.Element) -> str | None:
    """Say why Twilio would not speak this <Say>, or None when its voice speaks its language."""
    return documented().refusal(say.get("voice") or DEFAULT_VOICE, say.get("language"))


def refused(
    webhooks: WebhookClient,
    call: Call,
    say: ET.Element,
    url: str | None = None,
    *,
    in_gather: bool = False,
) -> bool:
    """Return whether the <Say> fails as Twilio documents, noting its warning on the call."""
    reason = refusal(say)
    if reason is None:
        return False
    code = GATHER_SAY_INVALID_VOICE if in_gather else SAY_INVALID_VOICE
    log.warning("simulator: call %s skipped a <Say> (%s): %s", call.sid, code, reason)
    webhooks.record_error(call, code, url or call.url or "")
    return True
