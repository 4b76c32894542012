"""Guess whether a message is English or Spanish, well enough to pick a referral script."""

from __future__ import annotations

from collections.abc import Sequence

from warmline.crisis.lexicon import LANGUAGES, Lexicon
from warmline.crisis.normalise import Token

UNKNOWN = "und"


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
