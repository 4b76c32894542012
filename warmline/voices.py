"""The voice each of a line's languages is read in, from the voices Twilio documents for it.

A <Say> must name a voice that speaks its language; config/voices.yml lists, for each language
the line's words come in, the locale it is read in, a default voice, and the voices a
coordinator may choose instead. A line's choices are a mapping from language to voice.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

import yaml

from warmline.sentences import N_, Refused

ENGLISH = "en"


@dataclass(frozen=True)
class Reading:
    """How one language is read aloud: its locale and the voices that speak it."""

    locale: str
    name: str
    default: str
    voices: Mapping[str, str]


@dataclass(frozen=True)
class Speaker:
    """The voice and language a <Say> names."""

    voice: str
    locale: str


@functools.cache
def readings() -> Mapping[str, Reading]:
    """Load config/voices.yml once: each language's reading."""
    table = yaml.safe_load(resources.files("config").joinpath("voices.yml").read_text("utf-8"))
    return {
        language: Reading(
            locale=entry["locale"],
            name=entry["name"],
            default=entry["default"],
            voices=dict(entry["voices"]),
        )
        for language, entry in table.items()
    }


def _read_as(language: str) -> str:
    """Return the language whose reading `language` takes: its own, else English."""
    return language if language in readings() else ENGLISH


def locale(language: str) -> str:
    """Return the locale a language's words are read (and heard) in, such as "es-US"."""
    return readings()[_read_as(language)].locale


def speaker(language: str, chosen: Mapping[str, str] | None = None) -> Speaker:
    """Return who reads a sentence in `language`: the line's chosen voice, else the default."""
    read_as = _read_as(language)
    found = readings()[read_as]
    choice = (chosen or {}).get(read_as)
    return Speaker(choice if choice in found.voices else found.default, found.locale)


def check(chosen: Mapping[str, str]) -> dict[str, str]:
    """Return a line's voice choices, refusing a voice that does not speak its language."""
    for language, voice in chosen.items():
        if language not in readings():
            raise Refused(N_("no voices are listed for the language %(code)r"), code=language)
        found = readings()[language]
        if voice not in found.voices:
            raise Refused(
                N_("%(voice)s is not one of the voices that speak %(language)s"),
                voice=voice,
                language=found.name,
            )
    return dict(chosen)
