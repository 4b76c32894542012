"""The labelled corpus (data/crisis/corpus, columns in data/crisis/FORMAT.md) and its test split.

The locked test split is chosen by a stable hash of each row's author and text, so a row never
changes side when batches are added, and the split is recorded in `data/crisis/locked.tsv`:
training, thresholds and every choice made while building the model use the other rows only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ("author", "tier", "lang", "category", "situation", "style", "text")
# One row in five, by hash, is kept for the test.
_LOCKED_SHARE = 5
DEVELOPMENT = "development"
LOCK_HEADER = "# The locked test split (issue 15): author and key of each row kept out of training."


class CorpusError(ValueError):
    """A corpus file does not follow data/crisis/FORMAT.md."""


@dataclass(frozen=True)
class Row:
    """One labelled message of a batch."""

    author: str
    tier: int
    lang: str
    category: str
    situation: str
    style: str
    text: str

    @property
    def key(self) -> str:
        """Return the row's stable key: a hash of its author and text."""
        return hashlib.sha256(f"{self.author}\t{self.text}".encode()).hexdigest()[:16]

    @property
    def locked(self) -> bool:
        """Tell whether the row belongs to the locked test split."""
        return int(self.key, 16) % _LOCKED_SHARE == 0


def read_batch(path: Path) -> list[Row]:
    """Read one batch; raise CorpusError naming the line that breaks the format."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or tuple(lines[0].split("\t")) != COLUMNS:
        raise CorpusError(f"{path.name}: the first line must be the header {COLUMNS}")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != len(COLUMNS) or fields[1] not in {"0", "1", "2"}:
            raise CorpusError(f"{path.name} line {number}: 7 fields and a tier of 0, 1 or 2")
        author, tier, *rest = fields
        rows.append(Row(author, int(tier), *rest))
    return rows


def read_corpus(folder: Path) -> list[Row]:
    """Read every batch of a folder, in file-name order."""
    batches = sorted(folder.glob("*.tsv"))
    if not batches:
        raise CorpusError(f"no batch (*.tsv) in {folder}")
    return [row for batch in batches for row in read_batch(batch)]


def training_part(rows: list[Row]) -> list[Row]:
    """Return the rows that training and validation may see."""
    return [row for row in rows if not row.locked]


def locked_rows(rows: list[Row]) -> list[Row]:
    """Return the locked test rows."""
    return [row for row in rows if row.locked]


def lock_text(rows: list[Row]) -> str:
    """Write the lock file's content: one author and key per locked row, sorted."""
    entries = sorted(f"{row.author}\t{row.key}" for row in locked_rows(rows))
    return "\n".join((LOCK_HEADER, *entries)) + "\n"


def read_development(path: Path) -> list[Row]:
    """Read the rules' development set (tier, language, kind, text; # comments) as rows.

    Its messages were written for the project, by no corpus author: the trainer learns from
    them (everyday chat most of all) under the author "development", and never scores them.
    """
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            tier, lang, kind, text = line.split("\t", 3)
            rows.append(Row(DEVELOPMENT, int(tier), lang, kind, kind, "plain", text))
    return rows
