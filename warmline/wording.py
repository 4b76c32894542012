"""Every word a caller hears or a texter reads, loaded once from config/scripts.

The words are data, one YAML document per language; this module hands them out. A language
without its own words gets English. Referral scripts are in `warmline.crisis.scripts`, which
also holds the checks every word here must pass.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from importlib import resources
from zoneinfo import ZoneInfo

import yaml

from warmline.sentences import N_, Refused

ENGLISH = "en"
# The documents in config/scripts: one per language, and the bilingual referral scripts.
DOCUMENTS = ("en", "es", "bilingual")
# What a caller hears first in each case, sentence by sentence; CRISIS_NUMBERS expands to the
# crisis numbers in the caller's language (in English, then in Spanish, for anyone else).
CRISIS_NUMBERS = "crisis_numbers"
OPENINGS = {
    "welcome": ("welcome",),
    # On a line whose supervisors may listen in: every caller is told so before anyone can.
    "welcome_monitored": ("welcome", "monitoring"),
    "blocked": ("blocked", CRISIS_NUMBERS),
    "limited": ("limited", CRISIS_NUMBERS, "press_9"),
    "unavailable": ("unavailable", CRISIS_NUMBERS),
    "callback": ("callback_intro",),
}


class Form(enum.Enum):
    """How words reach a contact: read aloud on a call, or written in a text."""

    SPOKEN = "spoken"
    WRITTEN = "written"


@dataclass(frozen=True)
class Spoken:
    """One sentence to say, and the language text-to-speech reads it in."""

    text: str
    language: str


@dataclass(frozen=True)
class Wording:
    """The line's words by language, as config/scripts holds them."""

    documents: Mapping[str, Mapping]

    def languages(self, section: str) -> tuple[str, ...]:
        """Return the languages that have their own words for a section ("calls", "texts")."""
        return tuple(code for code, document in self.documents.items() if section in document)

    def answered_languages(self) -> tuple[str, ...]:
        """Return the languages a line can answer in: their own words for calls and texts,
        and their own referral scripts."""
        return tuple(
            code
            for code, document in self.documents.items()
            if {"calls", "texts", "scripts"} <= document.keys()
        )

    def _words(self, section: str, language: str) -> tuple[str, Mapping]:
        if section not in self.documents.get(language, {}):
            language = ENGLISH
        return language, self.documents[language][section]

    def text(self, kind: str, language: str, /, **values: object) -> str:
        """Return one of the text line's own texts, in English for a language without them."""
        _language, texts = self._words("texts", language)
        return _filled(texts[kind], values)

    def spoken(self, kind: str, language: str, /, **values: object) -> Spoken:
        """Return one sentence a caller hears, in English for a language without its own."""
        language, calls = self._words("calls", language)
        return Spoken(_filled(calls[kind], values), language)

    def crisis_numbers(self, language: str) -> tuple[Spoken, ...]:
        """Name the crisis numbers in the caller's language; English and Spanish if unsure."""
        if language in self.languages("calls") and language != ENGLISH:
            return (self.spoken(CRISIS_NUMBERS, language),)
        return tuple(self.spoken(CRISIS_NUMBERS, code) for code in self.languages("calls"))

    def opening(self, kind: str, language: str, /, **values: object) -> tuple[Spoken, ...]:
        """Return what a caller hears first when greeted, limited, blocked or not answered."""
        sentences: list[Spoken] = []
        for key in OPENINGS[kind]:
            if key == CRISIS_NUMBERS:
                sentences += self.crisis_numbers(language)
            else:
                sentences.append(self.spoken(key, language, **values))
        return tuple(sentences)

    def language_menu(self, languages: tuple[str, ...], welcomed_in: str) -> tuple[Spoken, ...]:
        """Offer each of the line's languages but the welcome's by number, in its own language.

        The welcome's language needs no prompt: the caller just heard it, and silence keeps it.
        """
        return tuple(
            self.spoken(
                "choose_language", code, choice=self.language_name(code, code), number=number
            )
            for number, code in enumerate(languages, start=1)
            if code != welcomed_in
        )

    def language_name(self, code: str, in_language: str) -> str:
        """Name a language as `in_language` says it; an unknown one keeps its code."""
        _language, names = self._words("language_names", in_language)
        return names.get(code, code)

    def fallback(self, kind: str) -> str:
        """Return what the line says when it cannot know the contact's language."""
        return _filled(self.documents[ENGLISH]["fallback"][kind], {})

    def to_specialist(self, kind: str, **values: object) -> str:
        """Return what a specialist's phone says while the line rings them."""
        return _filled(self.documents[ENGLISH]["specialist"][kind], values)

    def whisper(self, minutes: int, language: str, *, callback: bool = False) -> str:
        """Tell the specialist how long the caller waited and in what language; a call back too."""
        if minutes < 1:
            waited = self.to_specialist("waited_under_a_minute")
        elif minutes == 1:
            waited = self.to_specialist("waited_one_minute")
        else:
            waited = self.to_specialist("waited_minutes", minutes=minutes)
        return self.to_specialist(
            "callback_whisper" if callback else "whisper",
            waited=waited,
            language=self.language_name(language, ENGLISH),
        )

    def reopens(self, opens_at: datetime, now: datetime, language: str, form: Form) -> str:
        """Say when the line opens again: today, tomorrow or a weekday, in the line's timezone.

        `opens_at` is in the line's timezone, as `lines.next_opening` gives it; `now` may be in
        any timezone, and "today" is the line's today, never UTC's.
        """
        if not isinstance(opens_at.tzinfo, ZoneInfo) or now.tzinfo is None:
            raise ValueError("give the opening in the line's timezone and now with a timezone")
        _language, reopening = self._words("reopening", language)
        forms = reopening[form.value]
        days = (opens_at.date() - now.astimezone(opens_at.tzinfo).date()).days
        pattern = {0: forms["today"], 1: forms["tomorrow"]}.get(days, forms["later"])
        clock = _clock(opens_at.time(), reopening["clock"])
        return pattern.format(clock=clock, day=forms["days"][opens_at.weekday()])


def _filled(words: str, values: Mapping[str, object]) -> str:
    # YAML folds long lines; the words are one line with single spaces, whatever the layout.
    return " ".join(words.split()).format(**values)


def _clock(moment: time, style: str) -> str:
    """Write a time as "5 PM" or "9:30 AM" (12-hour), or "17:00" (24-hour)."""
    if style == "24-hour":
        return f"{moment.hour:02d}:{moment.minute:02d}"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes} {'AM' if moment.hour < 12 else 'PM'}"


@functools.cache
def documents() -> Mapping[str, Mapping]:
    """Load config/scripts once: the documents by name ("en", "es", "bilingual")."""
    folder = resources.files("config").joinpath("scripts")
    return {
        name: yaml.safe_load(folder.joinpath(f"{name}.yml").read_text("utf-8"))
        for name in DOCUMENTS
    }


@functools.cache
def shipped() -> Wording:
    """Return the words config/scripts ships, by language."""
    return Wording(
        {
            document["language"]: document
            for document in documents().values()
            if "calls" in document or "texts" in document
        }
    )


def check_line_languages(languages: list[str]) -> None:
    """Refuse a language the line has no words for: callers would hear English, or its code."""
    words = shipped()
    answered = words.answered_languages()
    missing = [code for code in languages if code not in answered]
    if missing:
        names = [f"{words.language_name(code, ENGLISH)} ({code})" for code in answered]
        offered = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        raise Refused(
            N_(
                "there are no scripts in %(missing)s, so callers would not hear the line "
                "in it; choose from %(offered)s"
            ),
            missing=", ".join(repr(code) for code in missing),
            offered=offered,
        )


def text(kind: str, language: str, /, **values: object) -> str:
    """Return one of the text line's own texts; a language without its own texts gets English."""
    return shipped().text(kind, language, **values)


def spoken(kind: str, language: str, /, **values: object) -> Spoken:
    """Return one sentence a caller hears; a language without its own gets English."""
    return shipped().spoken(kind, language, **values)


def crisis_numbers(language: str) -> tuple[Spoken, ...]:
    """Name the crisis numbers to a caller, in their language or in both."""
    return shipped().crisis_numbers(language)


def opening(kind: str, language: str, /, **values: object) -> tuple[Spoken, ...]:
    """Return what a caller hears first in one of the OPENINGS."""
    return shipped().opening(kind, language, **values)


def language_menu(languages: tuple[str, ...], welcomed_in: str) -> tuple[Spoken, ...]:
    """Offer the line's languages but the welcome's by number, one prompt each."""
    return shipped().language_menu(languages, welcomed_in)


def fallback(kind: str) -> str:
    """Return what the line says when it cannot know the contact's language."""
    return shipped().fallback(kind)


def to_specialist(kind: str, **values: object) -> str:
    """Return what a specialist's phone says while the line rings them."""
    return shipped().to_specialist(kind, **values)


def whisper(minutes: int, language: str, *, callback: bool = False) -> str:
    """Tell the specialist what is waiting before they accept."""
    return shipped().whisper(minutes, language, callback=callback)


def reopens(opens_at: datetime, now: datetime, language: str, form: Form) -> str:
    """Say when the line opens again, in the line's timezone, for a call or a text."""
    return shipped().reopens(opens_at, now, language, form)
