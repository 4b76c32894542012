"""The corpus batches (data/crisis/corpus): well formed, labelled consistently, one author each."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from warmline.crisis.report import CORPUS_COLUMNS, read_examples

CORPUS = Path(__file__).parents[2] / "data" / "crisis" / "corpus"
BATCHES = sorted(CORPUS.glob("*.tsv"))
LANGUAGES = {"en", "es", "zh", "tl", "vi", "ar", "fr", "ko", "ru", "ht", "pt"}
CRISIS = {
    "explicit", "passive", "self_harm", "place", "vehicle", "instrument", "overdose",
    "timeframe", "farewell", "burden", "crisis_line", "violence_out", "violence_in",
    "third_party",
}  # fmt: skip
NOT_CRISIS = {"recovered", "medicine", "idiom", "media", "grief", "admin", "everyday"}
STYLES = {"plain", "lower", "typos", "slang", "abbrev", "emoji", "runon", "speech", "codeswitch"}


def rows(batch: Path) -> list[dict[str, str]]:
    lines = batch.read_text(encoding="utf-8").splitlines()
    assert tuple(lines[0].split("\t")) == CORPUS_COLUMNS
    return [dict(zip(CORPUS_COLUMNS, line.split("\t"), strict=True)) for line in lines[1:]]


def test_there_are_batches_by_more_than_one_author():
    assert len(BATCHES) >= 2


@pytest.mark.parametrize("batch", BATCHES, ids=[b.stem for b in BATCHES])
def test_every_row_is_well_formed_and_its_tier_agrees_with_its_category(batch):
    found = rows(batch)
    assert {row["author"] for row in found} == {batch.stem}
    for row in found:
        assert row["lang"] in LANGUAGES, row
        assert row["style"] in STYLES, row
        assert 0 < len(row["text"]) <= 320, row
        assert 1 <= len(row["situation"].split()) <= 4, row
        if row["category"] in CRISIS:
            assert row["tier"] in {"1", "2"}, row
        else:
            assert row["category"] in NOT_CRISIS, row
            assert row["tier"] == "0", row
    repeated = [text for text, n in Counter(r["text"].casefold() for r in found).items() if n > 1]
    assert repeated == []


@pytest.mark.parametrize("batch", BATCHES, ids=[b.stem for b in BATCHES])
def test_the_report_reads_a_batch(batch):
    examples = list(read_examples(batch))
    assert len(examples) == len(rows(batch))
    assert {e.kind for e in examples} <= CRISIS | NOT_CRISIS


def test_no_message_is_in_two_batches():
    # A message in two batches could be locked in one and learnt from in the other.
    authors: dict[str, set[str]] = {}
    for batch in BATCHES:
        for row in rows(batch):
            authors.setdefault(row["text"].casefold(), set()).add(batch.stem)
    assert [text for text, found in authors.items() if len(found) > 1] == []
