"""Turn a raw message, typed on any phone, into tokens a lexicon can match."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

# Phones type these instead of the ASCII apostrophe; a trigger like "can't" must still fire.
_APOSTROPHES = dict.fromkeys(map(ord, "\u2019\u2018\u02bc\u02bb`\u00b4\u2032\uff07"), "'")
# Variation selectors, skin tones and the zero-width joiner only decorate an emoji.
_EMOJI_DECORATION = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff\u20e3]")
EMOJI = "\U0001f000-\U0001faff\u2600-\u27bf\u2300-\u23ff\u2b00-\u2bff"
# Chinese and Japanese run their words together: each of their characters is a token (a word)
# of its own, and a lexicon writes "想死" for the two tokens 想, 死.
HAN = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(
    rf"(?P<emoji>[{EMOJI}])|(?P<han>[{HAN}])|(?P<word>(?:(?![{HAN}])[\w$@])+)"
    r"|(?P<sentence>[.!?\n\u3002\uff01\uff1f]+)|(?P<clause>[,;:()\uff0c\uff1b\u3001]+)"
)
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
# "800mg", "10pm", "2nd": numbers with a unit are not leetspeak.
_NUMBER_WITH_UNIT = re.compile(r"\d+[a-z]{1,3}")
_DOSE = re.compile(r"\d+(?:mg|mcg|ml|g)")
_RUN = re.compile(r"(.)\1{2,}")
_DOUBLE = re.compile(r"(.)\1+")

NUMBER = "<num>"
MANY = "<many>"
DOSE = "<dose>"


@dataclass(frozen=True, slots=True)
class Token:
    """One word or emoji of a message, with every spelling it may stand for."""

    text: str
    forms: frozenset[str]
    sentence: int
    clause: int


def fold(text: str) -> str:
    """Fold case, compatibility forms, apostrophes and accents the way the lexicon is folded."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    # Spanish typed without accents must match, so the lexicon drops them too.
    decomposed = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    text = _EMOJI_DECORATION.sub("", text).replace("\u200d", " ")
    # "can't" and "cant" are the same word to a texter.
    return re.sub(r"(?<=\w)'(?=\w)", "", text).replace("'", " ")


def spellings(word: str) -> set[str]:
    """Return the spellings a typed word may stand for: itself, unstretched, de-leeted."""
    forms = {word}
    if _DOSE.fullmatch(word):
        forms.add(DOSE)
    elif word.isdigit():
        forms.add(NUMBER)
        if 10 <= int(word) <= 500:
            forms.add(MANY)
    elif _is_leet(word):
        forms.add("".join(_LEET.get(ch, ch) for ch in word))
        forms.add("".join("l" if ch == "1" else _LEET.get(ch, ch) for ch in word))
        forms.add(word.strip("$@"))
    for form in list(forms):
        if _RUN.search(form):
            # "killlll" may be "kill" or "kil"; "sooooo" may be "so" or "soo".
            forms.add(_RUN.sub(r"\1\1", form))
            forms.add(_RUN.sub(r"\1", form))
    return forms


def _is_leet(word: str) -> bool:
    """Tell whether a word mixes letters with digits or symbols standing for letters."""
    if _NUMBER_WITH_UNIT.fullmatch(word):
        return False
    return any(ch.isalpha() for ch in word) and any(ch in _LEET for ch in word)


def squeeze(word: str) -> str:
    """Collapse every doubled letter: "diee" becomes "die"."""
    return _DOUBLE.sub(r"\1", word)


def tokenise(text: str, resolve: Callable[[str], frozenset[str]] | None = None) -> list[Token]:
    """Split a message into tokens; `resolve` adds lexicon words a misspelling stands for."""
    tokens: list[Token] = []
    sentence = clause = 0
    for match in _TOKEN.finditer(fold(text)):
        kind, value = match.lastgroup, match.group()
        if kind == "sentence":
            sentence += 1
            clause += 1
        elif kind == "clause":
            clause += 1
        elif kind in ("emoji", "han"):
            tokens.append(Token(value, frozenset((value,)), sentence, clause))
        else:
            word = value.replace("_", "")
            if not word:
                continue
            forms = frozenset(resolve(word)) if resolve else frozenset(spellings(word))
            tokens.append(Token(word, forms, sentence, clause))
    return tokens
