"""The detector's figures on the project's labelled development set (tests/crisis/data)."""

from pathlib import Path

import pytest

from warmline.crisis.report import evaluate, read_examples

DATA = Path(__file__).parent / "data" / "messages.tsv"


@pytest.fixture(scope="module")
def tallies():
    return evaluate(read_examples(DATA))


def test_the_set_is_big_varied_and_bilingual():
    examples = list(read_examples(DATA))
    crisis = [e for e in examples if e.tier]
    spanish = [e for e in examples if e.language == "es"]
    assert len(examples) >= 400
    assert 0.40 <= len(crisis) / len(examples) <= 0.60
    assert len(spanish) / len(examples) >= 0.15


def test_every_crisis_message_is_found(tallies):
    assert tallies["crisis"].misses == []


def test_spanish_crisis_recall_is_at_least_95_percent(tallies):
    assert tallies["crisis es"].rate >= 0.95


def test_every_imminent_message_is_tier_2(tallies):
    assert tallies["tier 2 found as 2"].misses == []


def test_someone_else_at_risk_is_flagged(tallies):
    assert tallies["third party flagged"].misses == []


def test_false_positive_rate_on_everyday_messages_is_at_most_8_percent(tallies):
    assert 1 - tallies["everyday"].rate <= 0.08
