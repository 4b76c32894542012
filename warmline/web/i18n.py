"""The interface's language: each person's choice, their browser's before they choose.

Words live in one gettext catalogue per language under `warmline/translations`; the page
hands the scripts' share of it to them (see `script_words`), so the dashboard's script and
the templates are translated by the same `.po` file. What callers and texters hear is not
here: that is `config/scripts`.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import (
    format_date,
    format_skeleton,
    format_time,
    get_datetime_format,
    get_day_names,
)
from babel.messages.pofile import read_po
from flask import Flask, has_request_context, request
from flask_babel import Babel, get_locale, get_translations, gettext

from warmline import sentences
from warmline.models import INTERFACE_LANGUAGES
from warmline.web.auth import current_user

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
# The template `make messages` extracts: every msgid, with the files it comes from.
TEMPLATE = TRANSLATIONS / "messages.pot"
DEFAULT_LANGUAGE = INTERFACE_LANGUAGES[0]


def choose_language() -> str:
    """Return the person's chosen language, else the best their browser asks for, else English."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    user = current_user()
    if user is not None and user.interface_language in INTERFACE_LANGUAGES:
        return user.interface_language
    return request.accept_languages.best_match(INTERFACE_LANGUAGES, default=DEFAULT_LANGUAGE)


def language() -> str:
    """Return the language this request is answered in."""
    return str(get_locale() or DEFAULT_LANGUAGE)


def language_names() -> list[tuple[str, str]]:
    """Return each interface language with its name written in itself, as people look for it."""
    return [(code, _own_name(code)) for code in INTERFACE_LANGUAGES]


@functools.cache
def _own_name(code: str) -> str:
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


@functools.cache
def _script_msgids() -> tuple[str | tuple[str, str], ...]:
    """Return the msgids that appear in the scripts (`static/*.js`), from the template."""
    with TEMPLATE.open("rb") as template:
        catalogue = read_po(template)
    return tuple(
        message.id
        for message in catalogue
        if message.id and any(path.endswith(".js") for path, _line in message.locations)
    )


def script_words() -> dict[str, str | list[str]]:
    """Return the scripts' words in this request's language, keyed by their English.

    A plural is a pair of forms (one, other): the plural rule of English and Spanish.
    English needs no table: a script shows its own words when a key is missing.
    """
    if language() == DEFAULT_LANGUAGE:
        return {}
    # The catalogue itself, not Flask-Babel's gettext: the scripts fill in {placeholders}.
    translations = get_translations()
    words: dict[str, str | list[str]] = {}
    for msgid in _script_msgids():
        if isinstance(msgid, tuple):
            one, other = msgid[0], msgid[1]
            words[one] = [translations.ngettext(one, other, n) for n in (1, 2)]
        else:
            words[msgid] = translations.gettext(msgid)
    return words


def refusal(why: object) -> str:
    """Say why the line refused something, in the reader's language, as a sentence begins."""
    said = sentences.said(why, gettext)
    return said[:1].upper() + said[1:]


def moment(at: datetime | None, timezone: str = "UTC") -> str:
    """Show a date and time to the minute in the timezone, as the person's language writes it."""
    if at is None:
        return ""
    local, locale = at.astimezone(ZoneInfo(timezone)), language()
    day = format_date(local, "medium", locale=locale)
    clock = format_time(local, "short", locale=locale)
    return get_datetime_format("medium", locale=locale).replace("{1}", day).replace("{0}", clock)


def weekday_date(at: datetime, timezone: str) -> str:
    """Show the day of a moment, with its weekday, in the timezone: "Thu, Dec 3, 2026"."""
    return format_skeleton("yMMMEd", at.astimezone(ZoneInfo(timezone)), locale=language())


def clock_time(at: datetime, timezone: str) -> str:
    """Show the time of day of a moment in the timezone: "6:58 PM", "18:58"."""
    return format_time(at.astimezone(ZoneInfo(timezone)), "short", locale=language())


def weekday_name(index: int) -> str:
    """Name a day of the week, Monday being 0, shortly: "Mon", "lun"."""
    return get_day_names("abbreviated", locale=language())[index]


def day(value: date) -> str:
    """Show a date as the reader's language writes it: "Dec 3, 2026", "3 dic 2026"."""
    return format_date(value, "medium", locale=language())


def hour_of_day(hour: int) -> str:
    """Name an hour of the day as the reader's language writes it: "6:00 PM", "18:00"."""
    return format_time(time(hour), "short", locale=language())


def hour_of_week(index: int) -> str:
    """Name an hour of the week, Monday 00:00 being 0: "Mon 6:00 PM", "lun 18:00"."""
    return f"{weekday_name(index // 24)} {hour_of_day(index % 24)}"


def day_of_month(day: date) -> str:
    """Name a day shortly, with its weekday: "Thu, Dec 3", "jue, 3 dic"."""
    return format_skeleton("MMMEd", day, locale=language())


def init_app(app: Flask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=choose_language)
    app.jinja_env.filters.update(
        moment=moment,
        weekday_date=weekday_date,
        clock_time=clock_time,
        weekday_name=weekday_name,
        day=day,
    )

    @app.context_processor
    def _languages() -> dict[str, object]:
        return {
            "interface_language": language(),
            "interface_languages": language_names(),
            "signed_in": current_user() is not None,
            "script_words": script_words,
        }
