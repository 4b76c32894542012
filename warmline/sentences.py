"""Sentences the domain says to people: written in English here, said in the reader's language
by the dashboard or console that shows them.

The domain stays free of Flask: a sentence keeps its English words (the catalogue's msgid) and
its values apart, and whoever shows it passes a `Say` of gettext's shape, the interface's
translator. `english` says it as written, for logs, the command line and tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Say = Callable[..., str]


def english(message: str, **values: Any) -> str:
    """Say a sentence as it is written here, with its values filled in."""
    return message % values if values else message


def N_(message: str) -> str:
    """Mark words to translate where they are said, not where they are written."""
    return message


class Sentence(str):
    """A sentence in English, as a string, that keeps its words and values for a translator."""

    message: str
    values: Mapping[str, Any]

    def __new__(cls, message: str, **values: Any) -> Sentence:
        sentence = super().__new__(cls, english(message, **values))
        sentence.message, sentence.values = message, values
        return sentence

    def said(self, say: Say) -> str:
        """Say it with `say`, and any sentence among its values with `say` too."""
        values = {
            name: value.said(say) if isinstance(value, Sentence | Refusal) else value
            for name, value in self.values.items()
        }
        return say(self.message, **values)


class Refusal(Exception):
    """Why the line refuses something: English as an exception, translatable as a sentence."""

    def __init__(self, message: str, **values: Any) -> None:
        self.sentences = [Sentence(message, **values)]
        super().__init__(str(self.sentences[0]))

    @classmethod
    def of(cls, sentences: list[Sentence]) -> Refusal:
        """Refuse for several reasons at once, said one after another."""
        refusal = cls(sentences[0].message, **sentences[0].values)
        refusal.sentences = list(sentences)
        refusal.args = ("; ".join(sentences),)
        return refusal

    def said(self, say: Say) -> str:
        return "; ".join(sentence.said(say) for sentence in self.sentences)


def said(words: object, say: Say) -> str:
    """Say a Sentence or a Refusal in the reader's words; anything else as it is written."""
    return words.said(say) if isinstance(words, Sentence | Refusal) else str(words)


class Refused(Refusal, ValueError):
    """A value or a change the line refuses, with why."""
