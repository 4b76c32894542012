"""The learned model: rebuilt by `warmline crisis train`, never trained on the test split."""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import astuple
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from warmline.crisis.cli import CORPUS, DEVELOPMENT_SETS, INTERPRETED_MODEL, LOCK, MODEL, crisis
from warmline.crisis.combined import model_tier
from warmline.crisis.corpus import (
    DEVELOPMENT,
    CorpusError,
    Row,
    lock_text,
    locked_rows,
    read_batch,
    read_corpus,
)
from warmline.crisis.detector import detect_by_rules
from warmline.crisis.features import ngram_counts
from warmline.crisis.language import INTERPRETED
from warmline.crisis.model import MAGIC, ModelFileError, interpreted_model, loads, model
from warmline.crisis.train import TrainingError, prepare, train

ROOT = Path(__file__).parents[2]


@pytest.fixture
def in_checkout(monkeypatch):
    """Run from the checkout's root, where train and report find the corpus."""
    monkeypatch.chdir(ROOT)


def test_training_rebuilds_the_committed_models_and_lock(in_checkout, tmp_path):
    out, other, lock = tmp_path / "model.bin", tmp_path / "other.bin", tmp_path / "locked.tsv"
    arguments = ["train", "--out", str(out), "--interpreted-out", str(other), "--lock", str(lock)]
    result = CliRunner().invoke(crisis, arguments)
    assert result.exit_code == 0, result.output
    assert lock.read_text(encoding="utf-8") == LOCK.read_text(encoding="utf-8")
    rows = read_corpus(CORPUS)
    for path, committed in ((out, model()), (other, interpreted_model())):
        rebuilt = loads(path.read_bytes())
        assert rebuilt.trained_on == committed.trained_on
        # Equal to the last bits on one machine; numpy picks its vector kernels by CPU (AVX2,
        # AVX-512), and another CPU's sums move the solver's stopping point by up to ~1e-4.
        expected = astuple(committed.thresholds)
        assert astuple(rebuilt.thresholds) == pytest.approx(expected, abs=1e-3)
        assert rebuilt.intercepts == pytest.approx(committed.intercepts, abs=1e-3)
        for table, expected in zip(
            (rebuilt.idf, *rebuilt.weights), (committed.idf, *committed.weights), strict=True
        ):
            np.testing.assert_allclose(table, expected, atol=1e-3)
        # What matters: every message is graded as the committed model grades it.
        regraded = [
            row.text
            for row in rows
            if model_tier(rebuilt.score(row.text), rebuilt.thresholds)
            != model_tier(committed.score(row.text), committed.thresholds)
        ]
        assert regraded == []


def test_the_committed_files_read_back_to_the_same_bytes():
    assert model().dumps() == MODEL.read_bytes()
    assert interpreted_model().dumps() == INTERPRETED_MODEL.read_bytes()


def test_the_model_learnt_from_the_training_part_and_development_sets_only(in_checkout):
    rows = read_corpus(CORPUS)
    learnt = Counter(row.author for row in rows if not row.locked)
    development = sum(
        1
        for path in DEVELOPMENT_SETS
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    assert interpreted_model().trained_on == {**learnt, DEVELOPMENT: development}
    # The line's model learns from the messages in its languages alone: the languages it does
    # not speak have their own model, so they never move its weights or its bars.
    spoken = Counter(
        row.author
        for row in rows
        if not row.locked and detect_by_rules(row.text).language not in INTERPRETED
    )
    assert model().trained_on == {**spoken, DEVELOPMENT: development}


def test_the_lock_file_lists_the_locked_split(in_checkout):
    rows = read_corpus(CORPUS)
    assert LOCK.read_text(encoding="utf-8") == lock_text(rows)
    share = len(locked_rows(rows)) / len(rows)
    assert 0.15 <= share <= 0.25
    for author in {row.author for row in rows}:
        assert any(row.locked for row in rows if row.author == author)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GIF89a" + bytes(40),
        MAGIC + (9999).to_bytes(4, "little") + b"{}",
        MAGIC + (2).to_bytes(4, "little") + b"{]",
    ],
    ids=["empty", "another format", "header cut short", "header not json"],
)
def test_a_file_that_is_not_a_model_is_refused(data):
    with pytest.raises(ModelFileError):
        loads(data)


def test_a_model_file_cut_short_or_padded_is_refused():
    data = MODEL.read_bytes()
    with pytest.raises(ModelFileError, match="cut short"):
        loads(data[:-4])
    with pytest.raises(ModelFileError, match="past its tables"):
        loads(data + b"\0\0\0\0")


def test_a_model_naming_a_slot_outside_the_table_is_refused():
    data = bytearray(MODEL.read_bytes())
    length = int.from_bytes(data[len(MAGIC) : len(MAGIC) + 4], "little")
    first_slot = len(MAGIC) + 4 + length
    data[first_slot : first_slot + 4] = array("i", [-1]).tobytes()
    with pytest.raises(ModelFileError, match="outside the table"):
        loads(bytes(data))


def test_a_malformed_batch_is_refused_with_its_line(tmp_path):
    batch = tmp_path / "someone.tsv"
    batch.write_text(
        "author\ttier\tlang\tcategory\tsituation\tstyle\ttext\n"
        "someone\t3\ten\texplicit\tx\tplain\thello\n",
        encoding="utf-8",
    )
    with pytest.raises(CorpusError, match="line 2"):
        read_batch(batch)
    batch.write_text("tier\ttext\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="header"):
        read_batch(batch)


def test_train_on_an_empty_folder_says_so(tmp_path):
    result = CliRunner().invoke(crisis, ["train", "--corpus", str(tmp_path)])
    assert result.exit_code != 0
    assert "no batch" in result.output


def test_rows_of_one_kind_cannot_train_a_model():
    rows = [Row("one", 1, "en", "passive", "x", "plain", f"so tired of it {n}") for n in range(9)]
    with pytest.raises(TrainingError, match="every fold needs"):
        train(prepare(rows))


def test_chinese_is_read_character_by_character_with_or_without_spaces():
    assert ngram_counts("我真的想死") == ngram_counts("我 真 的 想 死")
    assert ngram_counts("我有suicidal thoughts") == ngram_counts("我 有 suicidal thoughts")
    assert ngram_counts("我想死") != ngram_counts("我不想死")
