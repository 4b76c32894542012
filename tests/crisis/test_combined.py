"""The line's detector: the rules and the learned model combined, as every path grades."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from warmline.calls import hears_crisis
from warmline.crisis import Detection, detect
from warmline.crisis.combined import MODEL_IMMINENT, MODEL_RISK, combine
from warmline.crisis.detector import detect_by_rules
from warmline.crisis.model import Scores, Thresholds
from warmline.crisis.report import read_examples

DEVELOPMENT = Path(__file__).parent / "data" / "messages.tsv"
BARS = Thresholds(crisis=1.0, imminent=2.0, corroborate=0.0, someone_else=1.0)
CALM = Scores(crisis=-5.0, imminent=-5.0)


@pytest.mark.parametrize(
    "text",
    [
        "im on the roof of the parking garage right now",
        "im sitting in my car in the garage with the engine running and the door shut",
    ],
)
def test_danger_told_with_no_crisis_word_is_imminent(text):
    assert detect_by_rules(text).tier == 0
    found = detect(text)
    assert found.tier == 2
    assert found.matches == (MODEL_IMMINENT,)


@pytest.mark.parametrize(
    "text",
    [
        "I attempted 5 years ago and today I am so glad to be alive",
        "does zoloft make anyone else sleepy? side effects are rough the first week",
        "how are you doing tonight",
        "going to the beach tonight",
    ],
)
def test_a_survivor_a_medicine_question_or_a_place_alone_is_not_crisis(text):
    assert detect(text).tier == 0


@pytest.mark.parametrize(
    "text",
    ["since my dad died i keep thinking about suicide", "i lost my job and i want to kill myself"],
)
def test_a_loss_told_beside_a_crisis_does_not_lower_it(text):
    assert detect_by_rules(text).tier >= 1
    assert detect(text).tier >= 1


@pytest.mark.parametrize(
    "text",
    [
        "can you give me the suicide hotline number",
        "whats the number for 988",
        "necesito el número de la línea de crisis",
        "i lost the number for the crisis line, can you send it",
    ],
)
def test_asking_for_the_crisis_line_by_name_gets_it_whatever_the_model_reads(text):
    rules = detect_by_rules(text)
    assert rules.tier == 1
    assert combine(rules, CALM, BARS).tier == 1
    assert detect(text).tier >= 1


@pytest.mark.parametrize(
    "text",
    [
        "is this the crisis line or the warm line?",
        "what's the difference between a warm line and a crisis line? i'm not in crisis",
        "i called 988 last year and it helped",
        "doing a psych paper on the 988 rollout, r there stats on call volume",
        "my brother died by suicide last spring and i miss him",
    ],
)
def test_a_question_about_the_lines_a_past_call_or_a_loss_is_not_crisis(text):
    assert detect(text).tier == 0


def test_a_spoken_transcript_goes_through_the_combined_detector():
    assert (
        hears_crisis("", "im standing on the edge of the bridge right now and i am going to jump")
        == 2
    )
    assert hears_crisis("", "i just need someone to talk to") == 0


def test_every_statement_of_the_development_set_the_rules_read_stands():
    for example in read_examples(DEVELOPMENT):
        rules = detect_by_rules(example.text)
        if rules.tier:
            assert detect(example.text).tier >= rules.tier, example.text


@pytest.mark.parametrize(
    "text", ["i want to die", "i have 40 tylenol saved up in my drawer", "kms", "quiero morir"]
)
def test_a_rules_hit_stands_only_if_the_model_corroborates_it(text):
    rules = detect_by_rules(text)
    assert rules.tier
    assert combine(rules, CALM, BARS) == Detection(0, (), rules.language)
    assert combine(rules, Scores(0.5, -5.0), BARS) == rules


def test_a_denial_holds_against_the_models_tier_1_but_not_its_tier_2():
    rules = detect_by_rules("i don't want to die, i want things to change")
    assert rules.lowered
    assert combine(rules, Scores(3.0, 0.0), BARS).tier == 0
    assert combine(rules, Scores(3.0, 3.0), BARS).tier == 2


def test_the_model_raising_a_tier_says_so_in_the_matches_and_keeps_the_rules_view():
    rules = detect_by_rules("i want to die")
    raised = combine(rules, Scores(3.0, 3.0), BARS)
    assert raised.tier == 2
    assert raised.matches == (*rules.matches, MODEL_IMMINENT)
    assert raised.language == "en"
    plain = detect_by_rules("hello there")
    assert combine(plain, Scores(1.5, -5.0), BARS).matches == (MODEL_RISK,)


def test_thresholds_of_infinity_leave_the_rules_alone():
    never = Thresholds(math.inf, math.inf, -math.inf, math.inf)
    for text in ("i want to die", "hello", "i took 30 tylenol"):
        rules = detect_by_rules(text)
        assert combine(rules, Scores(9.0, 9.0), never) == rules


def test_someone_else_at_risk_with_no_crisis_word_is_flagged_as_third_party():
    text = "my roommate locked herself in the bathroom and wont open the door, she has a razor"
    assert detect_by_rules(text).tier == 0
    found = detect(text)
    assert found.tier == 2
    assert found.third_party is True


def test_whom_a_message_is_about_is_the_rules_call_where_they_read_it():
    worried = Scores(crisis=3.0, imminent=3.0, someone_else=5.0)
    mine = detect_by_rules("i want to die")
    assert combine(mine, worried, BARS).third_party is False
    nothing = detect_by_rules("hello there")
    assert combine(nothing, worried, BARS).third_party is True
    assert combine(nothing, Scores(3.0, 3.0, 0.0), BARS).third_party is False
