"""Tell which language a message is written in: the line's own, or one it does not speak.

English and Spanish are told apart by their everyday words (the lexicons' stopwords), as the
referral scripts need. Any other language is identified by CLD2 (pycld2: its model is compiled
into the wheel, a few MB, tens of microseconds a message), and only where the guess is safe: a
message long enough to carry a language and a guess CLD2 calls reliable, by a clear margin.
"ok", "hi" or a name stays the line's, and is never answered with an interpreter's reply.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pycld2

from warmline.crisis.lexicon import INTERPRETED, LANGUAGES, Lexicon
from warmline.crisis.normalise import Token

UNKNOWN = "und"
# Letters (not spaces, digits or signs) a message needs before its language is guessed, and
# the share of them CLD2 must find in the language it names.
MIN_LETTERS = 12
MIN_PERCENT = 80
# A character of these scripts carries a syllable or a word: it counts as this many letters.
_DENSE = re.compile("[\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_NOT_LETTER = re.compile(r"[\W\d_]")
_DENSE_WEIGHT = 3


def guess_language(tokens: Sequence[Token], lex: Lexicon, hint: str | None = None) -> str:
    """Return "en", "es" or "und"; a supported hint (e.g. "es-MX") wins over guessing."""
    if hint:
        base = hint.strip().lower().replace("_", "-").split("-")[0]
        if base in LANGUAGES:
            return base
    scores = {
        language: sum(1 for t in tokens if t.text in lex.stopwords[language])
        for language in LANGUAGES
    }
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, top), (_, runner_up) = ranked[0], ranked[1]
    # A message of shared words ("ok", "no") gets both languages rather than a coin toss.
    return best if top > runner_up else UNKNOWN


def letters(text: str) -> int:
    """Count a message's letters, a Chinese character or Hangul syllable as several."""
    plain = _NOT_LETTER.sub("", text)
    return len(plain) + (_DENSE_WEIGHT - 1) * len(_DENSE.findall(plain))


def identify(text: str) -> str | None:
    """Return the language of INTERPRETED a message is surely written in, else None."""
    if letters(text) < MIN_LETTERS:
        return None
    try:
        reliable, _, details = pycld2.detect(text)
    except (pycld2.error, UnicodeEncodeError):
        # Text CLD2 cannot read (a lone surrogate, a control byte): the line's languages stand.
        return None
    _, code, percent, _ = details[0]
    base = code.split("-")[0]
    if not reliable or percent < MIN_PERCENT or base not in INTERPRETED:
        return None
    return base


def language_of(tokens: Sequence[Token], lex: Lexicon, text: str, hint: str | None) -> str:
    """Return the message's language: a supported hint, an interpreted one, or en/es/und."""
    guessed = guess_language(tokens, lex, hint)
    if guessed != UNKNOWN and hint:
        return guessed
    return identify(text) or guessed
