"""Referral scripts (data in config/scripts), the rules they must keep, and SMS arithmetic."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from importlib import resources

import yaml

from warmline.crisis.detector import terms
from warmline.crisis.normalise import fold

KINDS = ("caller", "third_party", "after_hours", "stop_flagged")
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

_lock = threading.Lock()
_loaded: list[dict] = []


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


def _documents() -> dict:
    """Load config/scripts once, even across threads."""
    if not _loaded:
        with _lock:
            if not _loaded:
                folder = resources.files("config").joinpath("scripts")
                names = (*SCRIPT_LANGUAGES, "bilingual")
                _loaded.append(
                    {
                        name: yaml.safe_load(folder.joinpath(f"{name}.yml").read_text("utf-8"))
                        for name in names
                    }
                )
    return _loaded[0]


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
    scripts = _documents()[name]["scripts"]
    try:
        return " ".join(scripts[kind][channel].split())
    except KeyError:
        raise LookupError(f"no {channel} script for {kind!r} in {name}.yml") from None


def shipped_scripts() -> Iterator[tuple[str, str, str, str]]:
    """Yield (kind, channel, language, text) for every script config/scripts ships."""
    for document in _documents().values():
        language = document["language"]
        for kind, channels in document["scripts"].items():
            for channel, text in channels.items():
                yield kind, channel, language, " ".join(text.split())


def check_script(text: str, channel: str, language: str | None) -> list[str]:
    """List the safe-messaging rules a script breaks; an empty list means it may be sent."""
    language = script_language(language)
    languages = SCRIPT_LANGUAGES if language == BILINGUAL else (language,)
    documents = _documents()
    problems: list[str] = []
    if not text.strip():
        return ["the script is empty"]
    spoken = _SPACED_DIGITS.sub("", text)
    words = set(re.findall(r"\w+", fold(spoken)))
    if "988" not in words:
        problems.append("it does not name 988")
    if "911" not in words:
        problems.append("it does not name 911 for immediate danger")
    for each in languages:
        if not words & set(_CALL[each]) or not words & set(_TEXT[each]):
            problems.append(f"it does not say 988 takes calls and texts ({each})")
        if _TEXT_LINE[each] not in spoken:
            problems.append(f"it does not name the text line {_TEXT_LINE[each]} ({each})")
        hope = [fold(h) for h in documents[each]["hope"]]
        if not any(h in fold(s) for s in _SENTENCE.findall(text) for h in hope):
            problems.append(f"it has no sentence of hope ({each})")
    folded = " " + " ".join(re.findall(r"\w+", fold(text))) + " "
    for each in SCRIPT_LANGUAGES:
        for banned in documents[each]["banned"]:
            if f" {fold(banned)} " in folded:
                problems.append(f"it says {banned!r}")
    methods = [m for m in terms(text) if m.split(":")[0] in _METHOD_CATEGORIES]
    if methods:
        problems.append(f"it names a method or means: {', '.join(methods)}")
    if channel == "sms" and sms_segments(text) > MAX_SMS_SEGMENTS:
        problems.append(f"it needs {sms_segments(text)} SMS segments; at most 2 fit")
    return problems
