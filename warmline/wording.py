"""What texters read, by name and language; a stand-in until the words live in config/scripts."""

from __future__ import annotations

from webhooks import twiml


def text(name: str, language: str, **values) -> str:
    """Return the named text in `language`, filled in with `values`."""
    return twiml.sms_text(name, language, **values)


def text_languages() -> frozenset[str]:
    """Return the languages every text is written in."""
    return frozenset(twiml.SMS_TEXTS)
