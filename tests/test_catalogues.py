"""The interface's catalogues: every word of the templates and scripts is in them, translated.

New English words cannot ship untranslated: `make messages` gathers them, a translator fills
them in, and these tests fail until both are done.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from warmline.models import INTERFACE_LANGUAGES
from warmline.web.i18n import TEMPLATE, TRANSLATIONS

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = [code for code in INTERFACE_LANGUAGES if code != INTERFACE_LANGUAGES[0]]
# The interface: the phone simulator is a developer's tool and stays in English.
INTERFACE = ("dashboard", "console")
TEMPLATES = sorted(
    path for part in INTERFACE for path in (ROOT / "warmline" / part).glob("templates/*/*.html")
)
SCRIPTS = sorted(
    path for part in INTERFACE for path in (ROOT / "warmline" / part).glob("static/*.js")
)
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|\{[a-z_]+\}")
# What Jinja prints or decides, and what `{% trans %}` wraps, is not bare text.
JINJA = re.compile(r"\{%-?\s*trans\b.*?endtrans\s*-?%\}|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
WORDS = re.compile(r"[A-Za-z]{2,}")
# Two words or more with a space between: what a person reads, not a name or a file.
PROSE = re.compile(r"[A-Za-z]{2,}[,.;:!?]* +[A-Za-z]")
# A quoted string in a Jinja expression, and the call before a string that translates it.
JINJA_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
TRANSLATING = re.compile(r"\b(_|gettext|ngettext)\($")
READ_ALOUD = ("aria-label", "title", "placeholder", "alt")
# Strings of several words a script uses that nobody reads: class names, selectors.
NOT_WORDS = {
    "use strict",
    "tier tier- ",
    "wrap-up stack",
    "contact mine",
    "danger transfer",
    '#mine-list li[data-contact-id=" "] .transfer',
    ".wrap-up input:checked",
    "danger close-chat",
    '#mine-list li[data-contact-id=" "]  ',
}
# Quoted keys a template looks its words up by: names, not words.
KEYS = {
    "'answer rate'",
    "'typical wait (s)'",
    "'crisis referrals'",
    "'response rate'",
    "'average helpfulness'",
    "'would call again'",
}
# A script's comments, strings, parentheses and names, enough to tell what a call wraps.
JS_TOKEN = re.compile(
    r"//[^\n]*|/\*.*?\*/|\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\])*`"
    r"|[()]|[A-Za-z_$][\w$]*|\S",
    re.S,
)


def _hashable(text: str | list[str] | tuple[str, ...]) -> str | tuple[str, ...]:
    return text if isinstance(text, str) else tuple(text)


def _msgids(messages) -> set[str | tuple[str, ...]]:
    return {_hashable(message.id) for message in messages}


def _catalogue(code: str):
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po)


def _template():
    with TEMPLATE.open("rb") as pot:
        return read_po(pot)


def test_the_template_holds_every_word_the_source_has():
    with (ROOT / "babel.cfg").open() as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    in_source = {
        message if isinstance(message, str) else tuple(message)
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map
        )
    }
    in_template = _msgids(m for m in _template() if m.id)

    assert in_source - in_template == set(), "run `make messages`"
    assert in_template - in_source == set(), "run `make messages`"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_word_is_translated_and_none_is_left_fuzzy(code):
    catalogue = _catalogue(code)
    wanted = _msgids(m for m in _template() if m.id)
    untranslated = {
        message.id
        for message in catalogue
        if message.id
        and (
            message.fuzzy
            or not (message.string if isinstance(message.string, str) else all(message.string))
        )
    }

    assert wanted - _msgids(m for m in catalogue if m.id) == set(), "run `make messages`"
    assert untranslated == set()


@pytest.mark.parametrize("code", TRANSLATED)
def test_a_translation_keeps_the_placeholders_of_its_english(code):
    for message in _catalogue(code):
        if not message.id:
            continue
        english = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        expected = set(PLACEHOLDER.findall(english[-1])) | set(PLACEHOLDER.findall(english[0]))
        for string in strings:
            # A singular may say "first" instead of its count.
            assert set(PLACEHOLDER.findall(string)) <= expected, (message.id, string)
        assert set(PLACEHOLDER.findall(strings[-1])) == set(PLACEHOLDER.findall(english[-1]))


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_compiled_catalogue_says_what_the_po_file_says(code):
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.mo").open("rb") as mo:
        compiled = {_hashable(m.id): _hashable(m.string) for m in read_mo(mo) if m.id}
    written = {_hashable(m.id): _hashable(m.string) for m in _catalogue(code) if m.id}

    assert compiled == written, "run `make messages` to compile the catalogues"


class _BareText(HTMLParser):
    """Collect the words a template shows or reads aloud outside any translation call."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.found += [
            f"{name}={value!r}"
            for name, value in attrs
            if name in READ_ALOUD and value and WORDS.search(value)
        ]

    def handle_data(self, data):
        # A macro that writes attributes (name="...") is markup, not words.
        text = re.sub(r'[\w-]+="[^"]*"', " ", data).replace("warmline", "")
        if WORDS.search(text):
            self.found.append(data.strip())


def _untranslated_strings(template: str) -> list[str]:
    """Return the sentences a template's expressions print without translating them."""
    found = []
    for expression in JINJA.findall(template):
        if re.match(r"\{%-?\s*trans\b", expression):
            continue
        calls: list[int] = []
        depth, at = 0, 0
        for match in JINJA_STRING.finditer(expression):
            for position in range(at, match.start()):
                if expression[position] == "(":
                    depth += 1
                    if TRANSLATING.search(expression[: position + 1]):
                        calls.append(depth)
                elif expression[position] == ")":
                    if calls and calls[-1] == depth:
                        calls.pop()
                    depth -= 1
            at = match.end()
            if PROSE.search(match.group()) and not calls and match.group() not in KEYS:
                found.append(match.group())
    return found


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: path.name)
def test_a_template_shows_no_words_outside_a_translation_call(path):
    source = JINJA.sub(lambda match: re.sub(r"[^\n]", " ", match.group()), path.read_text())
    parser = _BareText()
    parser.feed(source)

    assert parser.found == []
    assert _untranslated_strings(path.read_text()) == []


def _outside_substitutions(template: str) -> str:
    """Return a template literal's text with each ${...}, however nested, made a space."""
    kept, depth, at = [], 0, 0
    while at < len(template):
        if template.startswith("${", at):
            depth, at = depth + 1, at + 2
            continue
        if depth and template[at] == "{":
            depth += 1
        elif depth and template[at] == "}":
            depth -= 1
            kept.append(" " if depth == 0 else "")
        elif not depth:
            kept.append(template[at])
        at += 1
    return "".join(kept)


def _untranslated_prose(source: str) -> list[str]:
    """Return the script's strings of two words or more that no `_()` or `ngettext()` wraps."""
    found: list[str] = []
    calls: list[int] = []
    depth, previous = 0, ""
    for token in JS_TOKEN.findall(source):
        if token == "(":
            depth += 1
            if previous in ("_", "ngettext"):
                calls.append(depth)
        elif token == ")":
            if calls and calls[-1] == depth:
                calls.pop()
            depth -= 1
        elif token[:1] in "\"'`" and not calls:
            text = _outside_substitutions(token[1:-1])
            if PROSE.search(text) and text not in NOT_WORDS:
                found.append(text)
        if not token.startswith(("//", "/*")):
            previous = token
    return found


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda path: path.name)
def test_a_script_shows_no_sentence_outside_a_translation_call(path):
    assert _untranslated_prose(path.read_text()) == []
