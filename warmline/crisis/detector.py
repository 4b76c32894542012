"""Grade one message by the rules: tier 2 imminent, tier 1 risk, tier 0 none.

The line grades with `warmline.crisis.detect` (combined.py), which weighs these rules with the
learned model; the rules stay for what they do well: explicit statements, negation, a past.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from warmline.crisis.language import language_of
from warmline.crisis.lexicon import Hit, Lexicon, lexicon, line_phrases
from warmline.crisis.normalise import Token, tokenise

# Thoughts of dying or self-harm; on their own they make tier 1.
IDEATION = frozenset({"explicit", "passive", "generic", "slang", "self_harm"})
# Means words near use words ("counting", "all my", "30") within this many tokens.
_MEANS_REACH = 6
# How far back a negation cue ("not", "never") reaches to the word it denies.
_NEGATION_REACH = 3
# How far back to look for who a statement is about.
_SUBJECT_REACH = 8
_CRY = "\U0001f62d"
# Method and attempt statements a recovered past turns into a disclosed history, not nothing.
HISTORY = frozenset({"method", "attempt"})


@dataclass(frozen=True)
class Detection:
    """What the detector found: tier, the terms that fired, the language, someone else at risk.

    `language` is "en", "es", "und" (either), or a language the line does not speak
    (language.INTERPRETED) when the message is surely written in one.

    `lowered` tells that the rules dropped a term they found: denied ("i don't want to die"),
    in a recovered past, an idiom or a topic ("my essay on suicide").
    """

    tier: int
    matches: tuple[str, ...]
    language: str
    third_party: bool = False
    lowered: bool = False

    @property
    def crisis(self) -> bool:
        """Tell whether the message needs the crisis referral."""
        return self.tier > 0


@dataclass(frozen=True, slots=True)
class Signal:
    """A lexicon hit that survived the lowering rules, with who it is about."""

    kind: str
    label: str
    start: int
    end: int
    subject: str


def detect_by_rules(
    text: str,
    language: str | None = None,
    extra_terms: Mapping[str, Sequence[str]] | None = None,
) -> Detection:
    """Grade a message by the rules; `extra_terms` are a line's own terms, category -> terms."""
    lex = lexicon()
    tokens = tokenise(text, lex.resolve)
    hits = lex.phrases.match(tokens)
    if extra_terms:
        frozen = tuple(sorted((k, tuple(v)) for k, v in extra_terms.items()))
        hits += line_phrases(frozen).match(tokens)
    rules = {kind: [h for h in hits if h.kind == kind] for kind in lex.rules}
    signals = [
        Signal(h.kind, h.label, h.start, h.end, _subject(h, tokens, lex))
        for h in hits
        if h.kind in lex.categories
    ]
    settled = [s for s in (_settle(s, tokens, rules, lex) for s in signals) if s]
    tier, third_party = _grade(settled, tokens, rules, lex)
    return Detection(
        tier=tier,
        matches=_matches(settled) if tier else (),
        language=language_of(tokens, lex, text, language),
        third_party=third_party,
        lowered=len(settled) < len(signals),
    )


def terms(text: str) -> tuple[str, ...]:
    """List every category:term in a text before any rule lowers it (to vet scripts)."""
    lex = lexicon()
    hits = lex.phrases.match(tokenise(text, lex.resolve))
    return tuple(dict.fromkeys(f"{h.kind}:{h.label}" for h in hits if h.kind in lex.categories))


def _subject(hit: Hit, tokens: Sequence[Token], lex: Lexicon) -> str:
    """Say whom a hit is about: "first" (the texter), "third" (someone else) or "none"."""
    inside = range(hit.start, hit.end)
    before = range(hit.start - 1, max(hit.start - _SUBJECT_REACH, 0) - 1, -1)
    for index in (*inside, *before):
        token = tokens[index]
        if token.sentence != tokens[hit.start].sentence:
            break
        if index < hit.start - 1 and not token.forms.isdisjoint(lex.possessive):
            continue
        if not token.forms.isdisjoint(lex.first_person):
            return "first"
        if not token.forms.isdisjoint(lex.third_person):
            return "third"
    return "none"


def _settle(signal: Signal, tokens: Sequence[Token], rules: dict, lex: Lexicon) -> Signal | None:
    """Apply the lowering rules: keep a signal, drop it, or file a past attempt as history."""
    category = lex.categories[signal.kind]
    if category.protects_first_person and signal.subject == "first":
        # An idiom that spans the whole hit ("overdosed on coffee") says it was never a method.
        if any(h.start <= signal.start and signal.end <= h.end for h in rules["idiom"]):
            return None
        if signal.kind in HISTORY and _applies("past", signal, tokens, rules, lex):
            return replace(signal, kind="history")
        return signal
    if any(_applies(rule, signal, tokens, rules, lex) for rule in category.lowered_by):
        return None
    return signal


def _applies(rule: str, signal: Signal, tokens: Sequence[Token], rules: dict, lex: Lexicon) -> bool:
    """Tell whether one lowering rule covers this signal."""
    if rule == "negation":
        return _negated(signal, tokens, rules["negation"], lex)
    if rule == "idiom":
        return any(h.start < signal.end and signal.start < h.end for h in rules["idiom"])
    if rule == "past":
        return _in_the_past(signal, tokens, rules, "past")
    if rule == "grief":
        # "my brother died by suicide" is a loss; "my mom passed and i want to die" is not.
        return signal.subject != "first" and _in_the_past(signal, tokens, rules, "grief")
    if rule in ("study", "line"):
        # "my essay on suicide" is a topic, "does your line take suicide calls" a question about
        # a line; "I want to kill myself" stays a statement. A topic word inside the signal
        # ("the suicide prevention line") is part of what it names.
        reach = range(max(signal.start - 1, 0), signal.end)
        topics = [h for h in rules[rule] if not signal.start <= h.start < signal.end]
        return bool(topics) and all(tokens[i].forms.isdisjoint(lex.first_person) for i in reach)
    return bool(rules[rule])


def _in_the_past(signal: Signal, tokens: Sequence[Token], rules: dict, cues: str) -> bool:
    """Tell whether a cue of this kind (a past, a loss) in the sentence covers the signal with
    no "again" in between."""
    sentence = tokens[signal.start].sentence
    for cue in rules[cues]:
        if tokens[cue.start].sentence != sentence:
            continue
        low, high = (cue.start, signal.end) if cue.start < signal.start else (signal.start, cue.end)
        if not any(low < r.start < high or low < r.end <= high for r in rules["reversal"]):
            return True
    return False


def _negated(signal: Signal, tokens: Sequence[Token], cues: list[Hit], lex: Lexicon) -> bool:
    """Tell whether a negation cue just before the signal, in the same clause, denies it."""
    ends = {cue.end for cue in cues}
    clause = tokens[signal.start].clause
    index = signal.start
    while index not in ends:
        if index == 0 or signal.start - index >= _NEGATION_REACH:
            return False
        previous = tokens[index - 1]
        # "I'm not okay, I want to die": the denial belongs to another clause.
        if previous.clause != clause or not previous.forms.isdisjoint(lex.scope_breaks):
            return False
        index -= 1
    return True


def _grade(
    signals: Sequence[Signal], tokens: Sequence[Token], rules: dict, lex: Lexicon
) -> tuple[int, bool]:
    """Combine the surviving signals into a tier and a someone-else-at-risk flag."""
    kinds = {s.kind for s in signals}
    weights = {lex.categories[k].tier for k in kinds}
    ideation = bool(kinds & IDEATION)
    crying = _CRY in {t.text for t in tokens}
    # The loudly-crying face counts only alongside distress in words.
    distress = any(s.kind == "distress" and s.label != _CRY for s in signals)
    means = [s for s in signals if s.kind == "means"]
    emoji_means = any(not tokens[s.start].text.isalnum() for s in means)
    used = any(
        abs(u.start - m.start) <= _MEANS_REACH
        for u in signals
        if u.kind == "means_use"
        for m in means
    )
    soon = "timeframe" in kinds
    plain_means = bool(means) and not rules["medical"]
    imminent = (
        2 in weights
        or used
        or (bool(means) and (ideation or "farewell" in kinds))
        or ((soon or "farewell" in kinds) and ideation)
        or (soon and "farewell" in kinds)
        or (emoji_means and (soon or distress))
        or (plain_means and distress)
        or ("farewell" in kinds and distress)
        or len({s.label for s in signals if s.kind == "farewell"}) > 1
    )
    if imminent:
        tier = 2
    elif 1 in weights or (distress and crying):
        tier = 1
    else:
        return 0, False
    weighty = {"means", "means_use"} | {k for k, c in lex.categories.items() if c.tier > 0}
    return tier, any(s.subject == "third" and s.kind in weighty for s in signals)


def _matches(signals: Sequence[Signal]) -> tuple[str, ...]:
    """List each category:term that fired once, in message order."""
    ordered = sorted(signals, key=lambda s: s.start)
    return tuple(dict.fromkeys(f"{s.kind}:{s.label}" for s in ordered))
