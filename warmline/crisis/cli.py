"""`warmline crisis ...`: run the detector from a shell, train its model, measure it."""

from __future__ import annotations

import codecs
import json
import sys
from pathlib import Path
from types import ModuleType

import click

from warmline.crisis.combined import detect
from warmline.crisis.corpus import (
    CorpusError,
    Row,
    lock_text,
    locked_rows,
    read_corpus,
    read_development,
)
from warmline.crisis.model import FILE_NAME, INTERPRETED_FILE_NAME, interpreted_model, model
from warmline.crisis.report import corpus_figures, evaluate, read_examples, render

# Where the corpus and the model live in a checkout (train and report are run from one).
CORPUS = Path("data/crisis/corpus")
LOCK = Path("data/crisis/locked.tsv")
# Messages written for the project, by no corpus author: learnt from, never graded.
DEVELOPMENT_SETS = (
    Path("tests/crisis/data/messages.tsv"),
    Path("tests/crisis/data/holdout.tsv"),
    Path("data/crisis/everyday.tsv"),
)
MODEL = Path(__file__).parent / FILE_NAME
INTERPRETED_MODEL = Path(__file__).parent / INTERPRETED_FILE_NAME
_TRAIN_EXTRA = "training needs scikit-learn: pip install -e '.[train]'"


@click.group("crisis", help="Crisis detection: scan messages for risk, train and measure.")
def crisis() -> None:
    """Group the crisis commands."""


@crisis.command("scan")
@click.option("--language", default=None, help="Language of the messages (en, es); else guessed.")
def scan(language: str | None) -> None:
    """Read messages, one per line, on stdin; write one JSON verdict per line."""
    # Read and write UTF-8 bytes whatever the locale says: texts carry emoji and accents.
    for line in codecs.getreader("utf-8")(sys.stdin.buffer, errors="replace"):
        found = detect(line.rstrip("\r\n"), language)
        verdict = {
            "crisis": found.crisis,
            "tier": found.tier,
            "matches": list(found.matches),
            "language": found.language,
        }
        click.echo(json.dumps(verdict, ensure_ascii=False).encode("utf-8"))


corpus_option = click.option(
    "--corpus",
    "corpus_dir",
    default=CORPUS,
    show_default=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of corpus batches (*.tsv).",
)


@crisis.command("train")
@corpus_option
@click.option(
    "--out",
    default=MODEL,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Model file of the line's languages.",
)
@click.option(
    "--interpreted-out",
    default=INTERPRETED_MODEL,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Model file of the languages the line does not speak.",
)
@click.option(
    "--lock", default=LOCK, type=click.Path(dir_okay=False, path_type=Path), help="Lock file."
)
def train_command(corpus_dir: Path, out: Path, interpreted_out: Path, lock: Path) -> None:
    """Rebuild the model files from the corpus's training part, and the test split's lock."""
    train = _training()
    rows = _read(corpus_dir)
    learnt = [row for row in rows if not row.locked] + _development()
    try:
        trained = train.train_models(train.prepare(learnt))
    except train.TrainingError as error:
        raise click.ClickException(str(error)) from None
    lock.write_text(lock_text(rows), encoding="utf-8")
    click.echo(f"locked for the test: {len(locked_rows(rows))} messages, listed in {lock}")
    for path, written in zip((out, interpreted_out), trained, strict=True):
        path.write_bytes(written.dumps())
        sizes = ", ".join(f"{author} {n}" for author, n in written.trained_on.items())
        click.echo(f"trained on {sum(written.trained_on.values())} messages ({sizes})")
        click.echo(f"wrote {path} ({path.stat().st_size} bytes)")


@crisis.command("report")
@click.argument(
    "path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@corpus_option
@click.option("--misses", is_flag=True, help="List the messages graded wrong (a file only).")
def report(path: Path | None, corpus_dir: Path, misses: bool) -> None:
    """Print the figures: for a labelled file, or the corpus's locked split and leave-one-out.

    With no file: the committed model on the locked test split, then each batch graded by a
    model trained without it. Neither lists messages: the split is not to be tuned on.
    """
    if path is not None:
        click.echo(render(evaluate(read_examples(path)), show_misses=misses))
        return
    rows = _read(corpus_dir)
    shipped = model()
    locked = [(row, detect(row.text)) for row in locked_rows(rows)]
    click.echo(corpus_figures("Locked test split, the committed model", locked))
    train = _training()
    try:
        graded = train.leave_one_author_out(train.prepare(rows + _development()))
    except train.TrainingError as error:
        raise click.ClickException(str(error)) from None
    click.echo("")
    click.echo(corpus_figures("Leave one author out, each batch by a model without it", graded))
    click.echo("")
    click.echo(f"thresholds of the committed model: {shipped.thresholds}")
    click.echo(f"  of the languages the line does not speak: {interpreted_model().thresholds}")


def _read(corpus_dir: Path) -> list[Row]:
    """Read the corpus, or stop with the format error."""
    try:
        return read_corpus(corpus_dir)
    except CorpusError as error:
        raise click.ClickException(str(error)) from None


def _development() -> list[Row]:
    """Read the development sets that training learns from beside the corpus."""
    return [row for path in DEVELOPMENT_SETS for row in read_development(path)]


def _training() -> ModuleType:
    """Import the trainer, which needs the `train` extra."""
    try:
        from warmline.crisis import train
    except ImportError:
        raise click.ClickException(_TRAIN_EXTRA) from None
    return train
