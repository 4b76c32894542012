"""Referral scripts and every other word (data in config/scripts), their rules, SMS arithmetic."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

import yaml

from warmline import wording
from warmline.crisis.detector import terms
from warmline.crisis.language import INTERPRETED
from warmline.crisis.normalise import fold
from warmline.sentences import N_, Sentence
from warmline.wording import OPENINGS, Form, Wording, documents

KINDS = ("caller", "third_party", "after_hours", "stop_flagged", "close_flagged")
# The feedback questions after a conversation, and the channels each is said or texted on.
SURVEY_KINDS = {
    "survey_helpful": ("voice", "sms"),
    "survey_return": ("voice",),
    "survey_thanks": ("voice", "sms"),
}
# The keys that answer each question; the scale stops at 5, well apart from 9 (crisis line).
SURVEY_ANSWERS = {"survey_helpful": ("1", "5"), "survey_return": ("1", "2")}
# Every script a coordinator may word for their line.
EDITABLE_KINDS = (*KINDS, *SURVEY_KINDS)
# Kinds only ever texted: the last text of a flagged conversation, after STOP or a close.
TEXT_ONLY_KINDS = ("stop_flagged", "close_flagged")
CHANNELS = ("voice", "sms")
SCRIPT_LANGUAGES = ("en", "es")
BILINGUAL = "und"
MAX_SMS_SEGMENTS = 2

# GSM 03.38: the basic alphabet costs one septet, the extension table two (escape + char).
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION = frozenset("^{}\\[~]|€\f")
# A script naming any of these categories would give method detail.
_METHOD_CATEGORIES = frozenset({"method", "means", "means_use", "lethality", "attempt"})
# "9 8 8" is how voice scripts spell numbers for text-to-speech; it still names 988.
_SPACED_DIGITS = re.compile(r"(?<=\d)[\s.-](?=\d)")
_SENTENCE = re.compile(r"[^.!?/]+")
_CALL = {"en": ("call",), "es": ("llama", "llamar", "llamen")}
_TEXT = {"en": ("text",), "es": ("escribe", "escribir", "mensaje", "envia", "envien")}
_TEXT_LINE = {"en": "741741", "es": "AYUDA"}
_PLACEHOLDER = re.compile(r"\{\w+\}")
_PRESS = {"en": ("press",), "es": ("marque", "marca")}

# Sections every language has with the same keys as English; the rest are English only.
SHARED_SECTIONS = ("calls", "texts", "reopening", "language_names")
# Openings that are menus: the caller can press 9 there, so they must say so.
MENU_OPENINGS = ("welcome", "welcome_monitored", "limited", "callback")
# What a texter may read first: each names 988.
FIRST_TEXTS = ("welcome", "blocked", "limited", "help")
FIRST_FALLBACK_TEXTS = ("no_line", "trouble")
# The longest values a text is filled with: a long line name, a long line, the longest "when".
LONGEST_LINE_NAME = "N" * 60
LONGEST_POSITION = 999


def sms_segments(text: str) -> int:
    """Count the SMS segments a text needs: GSM-7 160/153 septets, else UCS-2 70/67 units."""
    if not text:
        return 0
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENSION for ch in text):
        sizes = [2 if ch in _GSM_EXTENSION else 1 for ch in text]
        single, part = 160, 153
    else:
        # UCS-2 counts UTF-16 code units: an emoji outside the BMP is a surrogate pair.
        sizes = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
        single, part = 70, 67
    if sum(sizes) <= single:
        return 1
    return _pack(sizes, part)


def _pack(sizes: list[int], capacity: int) -> int:
    """Count segments when an escape pair or surrogate pair may not straddle two segments."""
    segments, used = 1, 0
    for size in sizes:
        if used + size > capacity:
            segments, used = segments + 1, 0
        used += size
    return segments


def script_language(language: str | None) -> str:
    """Map a contact's language ("es-MX", None, "fr") to "en", "es" or "und" (bilingual)."""
    base = (language or "").strip().lower().replace("_", "-").split("-")[0]
    return base if base in SCRIPT_LANGUAGES else BILINGUAL


def referral_script(
    kind: str,
    channel: str,
    language: str | None,
    overrides: Mapping[tuple[str, str, str], str] | None = None,
) -> str:
    """Return the referral script for a kind, channel and language; unknown language: both.

    `overrides` holds a line's own scripts by (kind, channel, language); they were checked
    against the same rules when a coordinator saved them.
    """
    if kind not in KINDS or channel not in CHANNELS:
        raise LookupError(f"no referral script for {kind!r} on {channel!r}")
    language = script_language(language)
    if overrides and (kind, channel, language) in overrides:
        return overrides[kind, channel, language]
    name = "bilingual" if language == BILINGUAL else language
    scripts = documents()[name]["scripts"]
    try:
        return " ".join(scripts[kind][channel].split())
    except KeyError:
        raise LookupError(f"no {channel} script for {kind!r} in {name}.yml") from None


def survey_script(
    kind: str,
    channel: str,
    language: str | None,
    overrides: Mapping[tuple[str, str, str], str] | None = None,
) -> str:
    """Return a feedback question (or its thanks) in the contact's language, English if none.

    `overrides` holds the line's own wording, checked by `check_survey_script` when saved.
    """
    if channel not in SURVEY_KINDS.get(kind, ()):
        raise LookupError(f"no survey script for {kind!r} on {channel!r}")
    language = script_language(language)
    if language not in SCRIPT_LANGUAGES:
        language = wording.ENGLISH
    if overrides and (kind, channel, language) in overrides:
        return overrides[kind, channel, language]
    return " ".join(documents()[language]["survey"][kind][channel].split())


def line_script(
    kind: str,
    channel: str,
    language: str | None,
    overrides: Mapping[tuple[str, str, str], str] | None = None,
) -> str:
    """Return any script a line may word for itself: a referral script or a survey script."""
    if kind in SURVEY_KINDS:
        return survey_script(kind, channel, language, overrides)
    return referral_script(kind, channel, language, overrides)


def check_survey_script(text: str, kind: str, channel: str, language: str) -> list[str]:
    """List the rules a feedback question or its thanks breaks; empty means it may be used.

    Like every word the line says: no banned or method words, two SMS segments at most, and
    988 named in every text and in the last words a caller hears. A keypad question names
    the numbers that answer it and says that 9 still reaches the crisis line, so that nobody
    takes 9 for a score.
    """
    if not text.strip():
        return [Sentence(N_("the script is empty"))]
    problems = unsafe_words(text)
    words = set(re.findall(r"\w+", fold(_SPACED_DIGITS.sub("", text))))
    answers = SURVEY_ANSWERS.get(kind, ())
    if missing := [answer for answer in answers if answer not in words]:
        problems.append(
            Sentence(N_("it does not name the answers %(answers)s"), answers=", ".join(missing))
        )
    if (channel == "sms" or kind == "survey_thanks") and "988" not in words:
        problems.append(Sentence(N_("it does not name 988")))
    if channel == "sms":
        problems += _too_long(text)
    else:
        press = "|".join(_PRESS.get(language, ()))
        if kind in SURVEY_ANSWERS and not re.search(rf"\b(?:{press}) 9\b", fold(text)):
            problems.append(
                Sentence(
                    N_("it does not say to press 9 for the crisis line (%(code)s)"), code=language
                )
            )
    return problems


def shipped_scripts() -> Iterator[tuple[str, str, str, str]]:
    """Yield (kind, channel, language, text) for every script config/scripts ships."""
    for document in documents().values():
        language = document["language"]
        for kind, channels in document["scripts"].items():
            for channel, text in channels.items():
                yield kind, channel, language, " ".join(text.split())


def check_script(text: str, channel: str, language: str | None) -> list[Sentence]:
    """List the safe-messaging rules a script breaks; an empty list means it may be sent."""
    language = script_language(language)
    languages = SCRIPT_LANGUAGES if language == BILINGUAL else (language,)
    problems: list[Sentence] = []
    if not text.strip():
        return [Sentence(N_("the script is empty"))]
    spoken = _SPACED_DIGITS.sub("", text)
    words = set(re.findall(r"\w+", fold(spoken)))
    if "988" not in words:
        problems.append(Sentence(N_("it does not name 988")))
    if "911" not in words:
        problems.append(Sentence(N_("it does not name 911 for immediate danger")))
    for each in languages:
        if not words & set(_CALL[each]) or not words & set(_TEXT[each]):
            problems.append(
                Sentence(N_("it does not say 988 takes calls and texts (%(code)s)"), code=each)
            )
        if _TEXT_LINE[each] not in spoken:
            problems.append(
                Sentence(
                    N_("it does not name the text line %(number)s (%(code)s)"),
                    number=_TEXT_LINE[each],
                    code=each,
                )
            )
        hope = [fold(h) for h in documents()[each]["hope"]]
        if not any(h in fold(s) for s in _SENTENCE.findall(text) for h in hope):
            problems.append(Sentence(N_("it has no sentence of hope (%(code)s)"), code=each))
    problems += unsafe_words(text)
    if channel == "sms":
        problems += _too_long(text)
    return problems


def unsafe_words(text: str) -> list[Sentence]:
    """List the banned words and the method or means words a text says, in any language."""
    problems = []
    folded = " " + " ".join(re.findall(r"\w+", fold(text))) + " "
    for each in SCRIPT_LANGUAGES:
        for banned in documents()[each]["banned"]:
            if f" {fold(banned)} " in folded:
                problems.append(Sentence(N_("it says %(word)r"), word=banned))
    methods = [m for m in terms(text) if m.split(":")[0] in _METHOD_CATEGORIES]
    if methods:
        problems.append(
            Sentence(N_("it names a method or means: %(terms)s"), terms=", ".join(methods))
        )
    return problems


def _too_long(text: str) -> list[Sentence]:
    segments = sms_segments(text)
    if segments > MAX_SMS_SEGMENTS:
        return [
            Sentence(
                N_("it needs %(segments)s SMS segments; at most %(most)s fit"),
                segments=segments,
                most=MAX_SMS_SEGMENTS,
            )
        ]
    return []


def check_first_words(text: str, language: str, *, menu: bool) -> list[Sentence]:
    """List what the first words a contact gets lack: 988, that it takes calls and texts, 9."""
    problems = []
    words = set(re.findall(r"\w+", fold(_SPACED_DIGITS.sub("", text))))
    if "988" not in words:
        problems.append(Sentence(N_("it does not name 988")))
    if not words & set(_CALL.get(language, ())) or not words & set(_TEXT.get(language, ())):
        problems.append(
            Sentence(N_("it does not say 988 takes calls and texts (%(code)s)"), code=language)
        )
    press = "|".join(_PRESS.get(language, ()))
    if menu and not (press and re.search(rf"\b(?:{press}) 9\b", fold(text))):
        problems.append(
            Sentence(N_("it does not say to press 9 for the crisis line (%(code)s)"), code=language)
        )
    return problems


class WordingRefused(ValueError):
    """config/scripts cannot be read, or what it says breaks the safe-messaging rules."""


@functools.cache
def interpreter_document() -> Mapping:
    """Load config/scripts/interpreter.yml: per language the line does not speak, its reply."""
    folder = resources.files("config").joinpath("scripts")
    return yaml.safe_load(folder.joinpath("interpreter.yml").read_text("utf-8"))


def interpreter_script(language: str) -> str:
    """Return the reply telling a texter, in their language, how to reach 988 with an
    interpreter; `language` is one of language.INTERPRETED."""
    return " ".join(interpreter_document()["sms"][language].split())


def language_name(language: str) -> str:
    """Return an interpreted language's name as its speakers write it ("Français")."""
    return interpreter_document()["language_names"][language]


def check_interpreter_scripts(document: Mapping) -> list[str]:
    """List the rules the interpreter replies break: one per interpreted language, naming
    988 and 911, nothing safe messaging rules out, and two SMS segments at most."""
    problems = []
    for language in INTERPRETED:
        text = document["sms"].get(language)
        if not document["language_names"].get(language):
            problems.append(f"interpreter {language}: it has no language name")
        if not text:
            problems.append(f"interpreter {language}: there is no reply")
            continue
        text = " ".join(text.split())
        numbers = set(re.findall(r"\d+", text))
        missing = [number for number in ("988", "911") if number not in numbers]
        found = [Sentence(N_("it does not name %(number)s"), number=n) for n in missing]
        found += unsafe_words(text) + _too_long(text)
        problems += [f"interpreter {language}: {problem}" for problem in found]
    return problems


# The documents last found fit, held so that they are checked once for each time they are read.
_passed: list[tuple[Wording, Mapping]] = []


def checked_wording() -> Wording:
    """Load config/scripts and check every word, refusing words a caller must never get.

    Every process checks them before it serves anyone, so an edit that breaks the files stops
    the new release from starting instead of failing the crisis answers mid-call.
    """
    try:
        words, interpreter = wording.shipped(), interpreter_document()
        if _passed and _passed[0][0] is words and _passed[0][1] is interpreter:
            return words
        problems = check_wording(words) + check_interpreter_scripts(interpreter)
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as error:
        raise WordingRefused(f"config/scripts cannot be read: {error}") from None
    if problems:
        raise WordingRefused("config/scripts breaks the script rules: " + "; ".join(problems))
    _passed[:] = [(words, interpreter)]
    return words


def check_wording(words: Wording) -> list[str]:
    """List every rule the line's words break; an empty list means they may be used."""
    problems = _missing_keys(words)
    for where, text in _every_word(words):
        problems += [f"{where}: {problem}" for problem in unsafe_words(text)]
    for language in words.languages("texts"):
        problems += _texts_too_long(words, language)
    for language in words.languages("calls"):
        problems += _first_call_words(words, language)
    for language in words.languages("texts"):
        problems += _first_texts(words, language)
    problems += _referral_scripts(words)
    problems += _survey_scripts(words)
    return problems


def _survey_scripts(words: Wording) -> list[str]:
    """List each survey script a language the line answers in lacks, and the rules each breaks."""
    problems = []
    for language in words.answered_languages():
        survey = words.documents[language].get("survey", {})
        for kind, channels in SURVEY_KINDS.items():
            for channel in channels:
                text = " ".join(survey.get(kind, {}).get(channel, "").split())
                found = check_survey_script(text, kind, channel, language)
                problems += [f"{language} survey.{kind}.{channel}: {p}" for p in found]
    return problems


def _referral_scripts(words: Wording) -> list[str]:
    """List each referral script a kind lacks, and the rules each shipped one breaks."""
    problems = []
    for name, document in words.documents.items():
        scripts = document.get("scripts")
        if scripts is None:
            continue
        for kind in KINDS:
            channels = ("sms",) if kind in TEXT_ONLY_KINDS else CHANNELS
            for channel in channels:
                text = " ".join(scripts.get(kind, {}).get(channel, "").split())
                found = check_script(text, channel, document["language"])
                problems += [f"{name} scripts.{kind}.{channel}: {p}" for p in found]
    return problems


def _missing_keys(words: Wording) -> list[str]:
    english = words.documents["en"]
    problems = []
    for language, document in words.documents.items():
        for section in SHARED_SECTIONS:
            missing = sorted(set(english[section]) - set(document.get(section, {})))
            if missing:
                problems.append(f"{language} {section}: missing {', '.join(missing)}")
    return problems


def _every_word(words: Wording) -> Iterator[tuple[str, str]]:
    """Yield (where, text) for every sentence and text a contact may get, values left blank."""
    for language, document in words.documents.items():
        for section in ("calls", "texts", "fallback"):
            for kind, text in document.get(section, {}).items():
                # A placeholder is no word a contact gets ("{count}" is not the verb "count").
                yield f"{language} {section}.{kind}", _PLACEHOLDER.sub("N", text)
        for form in Form:
            for kind, text in document["reopening"][form.value].items():
                yield f"{language} reopening.{form.value}.{kind}", " ".join(text)


def _longest_when(words: Wording, language: str) -> str:
    """Write the longest "when the line opens again" of a week, at half past noon or eleven."""
    now = datetime(2026, 1, 5, 8, tzinfo=ZoneInfo("UTC"))
    return max(
        (
            words.reopens(
                now.replace(hour=hour, minute=30) + timedelta(days), now, language, Form.WRITTEN
            )
            for days in range(7)
            for hour in (12, 23)
        ),
        key=lambda when: (sms_segments(when), len(when)),
    )


def _texts_too_long(words: Wording, language: str) -> list[str]:
    when = _longest_when(words, language)
    filled = {
        kind: words.text(
            kind, language, name=LONGEST_LINE_NAME, position=LONGEST_POSITION, when=when
        )
        for kind in words.documents[language]["texts"]
    }
    # A closed line's reply: the after-hours script and when it opens again (the name goes
    # first only when it fits).
    filled["closed"] = referral_script("after_hours", "sms", language) + " " + filled["reopens"]
    return [
        f"{language} texts.{kind}: {problem}"
        for kind, text in filled.items()
        for problem in _too_long(text)
    ]


def _first_call_words(words: Wording, language: str) -> list[str]:
    openings = {
        kind: " ".join(s.text for s in words.opening(kind, language, name=LONGEST_LINE_NAME))
        for kind in OPENINGS
    }
    closed = words.spoken("closed", language, name=LONGEST_LINE_NAME).text
    openings["closed"] = closed + " " + referral_script("after_hours", "voice", language)
    menus = (*MENU_OPENINGS, "closed")
    return [
        f"{language} calls, first words when {kind}: {problem}"
        for kind, text in openings.items()
        for problem in check_first_words(text, language, menu=kind in menus)
    ]


def _first_texts(words: Wording, language: str) -> list[str]:
    firsts = {kind: words.text(kind, language, name=LONGEST_LINE_NAME) for kind in FIRST_TEXTS}
    if language == "en":
        firsts |= {kind: words.fallback(kind) for kind in FIRST_FALLBACK_TEXTS}
    return [
        f"{language} texts, first words when {kind}: {problem}"
        for kind, text in firsts.items()
        for problem in check_first_words(text, language, menu=False)
    ]
