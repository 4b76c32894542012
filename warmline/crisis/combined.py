"""The detector the line uses: the rules and the learned model, combined.

The rules read what they read well: an explicit statement, a method, a denial, a recovered
past. The model reads what no phrase list can hold: danger told with no crisis word, in a
style or a language the rules were never written for. A message gets the higher of the two
tiers, except that a rules hit stands only if the model finds the message at least somewhat
like a crisis (a request for the crisis line by name always stands).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from warmline.crisis.detector import Detection, detect_by_rules
from warmline.crisis.model import Scores, Thresholds, model_for

MODEL_RISK = "model:risk"
MODEL_IMMINENT = "model:imminent"
CRISIS_LINE = "crisis_line"


def detect(
    text: str,
    language: str | None = None,
    extra_terms: Mapping[str, Sequence[str]] | None = None,
) -> Detection:
    """Grade a message; `extra_terms` are a line's own terms, category -> terms."""
    rules = detect_by_rules(text, language, extra_terms)
    learnt = model_for(rules.language)
    return combine(rules, learnt.score(text), learnt.thresholds)


def model_tier(scores: Scores, thresholds: Thresholds) -> int:
    """Return the tier the model alone gives: imminent is a grade of what it finds a crisis."""
    if scores.crisis < thresholds.crisis:
        return 0
    return 2 if scores.imminent >= thresholds.imminent else 1


def combine(rules: Detection, scores: Scores, thresholds: Thresholds) -> Detection:
    """Merge the rules' verdict with the model's scores into the line's verdict."""
    if scores.crisis < thresholds.corroborate:
        rules = _uncorroborated(rules)
    learned = model_tier(scores, thresholds)
    # A denial or a recovered past the rules read holds against the model's tier 1: n-grams
    # cannot tell "i don't want to die" from "i want to die". Only imminent danger overrides.
    if rules.lowered and learned == 1:
        learned = 0
    if learned <= rules.tier:
        return rules
    added = MODEL_IMMINENT if learned == 2 else MODEL_RISK
    # Whom a message is about is the rules' to say where they read it; the model says it only
    # of a message the rules found nothing in.
    someone_else = rules.third_party
    if not rules.tier:
        someone_else = scores.someone_else >= thresholds.someone_else
    return replace(rules, tier=learned, matches=(*rules.matches, added), third_party=someone_else)


def _uncorroborated(rules: Detection) -> Detection:
    """Return what stands of the rules' verdict on a message the model finds unlike a crisis:
    a request for the crisis line by name, which is answered with it whatever else it reads."""
    asked = tuple(m for m in rules.matches if m.startswith(f"{CRISIS_LINE}:"))
    if asked:
        return replace(rules, tier=1, matches=asked, third_party=False)
    return replace(rules, tier=0, matches=(), third_party=False)
