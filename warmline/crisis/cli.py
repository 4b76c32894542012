"""`warmline crisis ...`: run the detector from a shell."""

from __future__ import annotations

import codecs
import json
import sys
from pathlib import Path

import click

from warmline.crisis.detector import detect
from warmline.crisis.report import evaluate, read_examples, render


@click.group("crisis", help="Crisis detection: scan messages for risk.")
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


@crisis.command("report")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--misses", is_flag=True, help="List the messages graded wrong.")
def report(path: Path, misses: bool) -> None:
    """Print recall, false-positive rate and a per-kind table for a labelled set."""
    click.echo(render(evaluate(read_examples(path)), show_misses=misses))
