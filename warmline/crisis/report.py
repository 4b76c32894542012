"""Measure the detector on a labelled set: recall per tier, false-positive rate, per kind.

`corpus_figures` formats the issue-15 figures for the corpus: on the locked test split, and
leave-one-author-out (graded by train.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from warmline.crisis.combined import detect
from warmline.crisis.corpus import COLUMNS, Row
from warmline.crisis.detector import Detection


@dataclass(frozen=True)
class Example:
    """One labelled message: expected tier, language, kind of message, text."""

    tier: int
    language: str
    kind: str
    text: str


@dataclass
class Tally:
    """Counts for one slice of the set."""

    total: int = 0
    right: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Return the share counted right (1.0 for an empty slice)."""
        return self.right / self.total if self.total else 1.0


# The header of a corpus batch (data/crisis/corpus/): one author's messages, by column name.
CORPUS_COLUMNS = COLUMNS


def read_examples(path: Path) -> Iterator[Example]:
    """Read a tab-separated set: a corpus batch (its header names the columns), or the
    development set's tier, language, kind, text; # lines are comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if lines and tuple(lines[0].split("\t")) == CORPUS_COLUMNS:
        for line in lines[1:]:
            row = dict(zip(CORPUS_COLUMNS, line.split("\t", len(CORPUS_COLUMNS) - 1), strict=True))
            yield Example(int(row["tier"]), row["lang"], row["category"], row["text"])
        return
    for line in lines:
        if line.strip() and not line.startswith("#"):
            tier, language, kind, text = line.split("\t", 3)
            yield Example(int(tier), language, kind, text)


def evaluate(examples: Iterable[Example]) -> dict[str, Tally]:
    """Score each example; a crisis message counts right at tier >= 1, tier 2 only at 2."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for example in examples:
        found = detect(example.text)
        keys = [f"kind {example.language}:{example.kind}"]
        if example.tier:
            keys += ["crisis", f"crisis {example.language}"]
            ok = found.tier >= 1
            if example.tier == 2:
                _count(tallies["tier 2 found as 2"], found.tier == 2, example.text)
            if example.kind == "third_party":
                _count(tallies["third party flagged"], found.third_party, example.text)
        else:
            keys += ["everyday", f"everyday {example.language}"]
            ok = found.tier == 0
        for key in keys:
            _count(tallies[key], ok, example.text)
    return dict(tallies)


def _count(tally: Tally, ok: bool, text: str) -> None:
    """Add one example to a tally."""
    tally.total += 1
    tally.right += ok
    if not ok:
        tally.misses.append(text)


def render(tallies: dict[str, Tally], show_misses: bool = False) -> str:
    """Format the figures: recall for crisis slices, false-positive rate for everyday ones."""
    lines = []
    for key in sorted(tallies, key=lambda k: (k.startswith("kind"), k)):
        tally = tallies[key]
        everyday = key.startswith("everyday") or (
            key.startswith("kind") and tally.misses and _is_everyday(key)
        )
        figure = f"false positives {1 - tally.rate:.3f}" if everyday else f"{tally.rate:.3f}"
        lines.append(f"{key:<32} {tally.right:>4}/{tally.total:<4} {figure}")
        if show_misses:
            lines += [f"    miss: {text}" for text in tally.misses]
    return "\n".join(lines)


def _is_everyday(key: str) -> bool:
    """Tell whether a kind slice holds everyday (non-crisis) messages."""
    return key.split(":")[1] in EVERYDAY_KINDS


EVERYDAY_KINDS = frozenset(
    {
        "everyday",
        "idiom",
        "hyperbole",
        "negation",
        "past",
        "study",
        "grief",
        "worry",
        "medicine",
        "line",
        "recovered",
        "media",
        "admin",
    }
)


# The targets (15), printed beside each headline figure.
TARGETS = {
    "recall": ">= 0.95",
    "imminent at tier 2": ">= 0.85",
    "false-positive rate": "<= 0.10",
    "Spanish recall": ">= 0.90",
}


def corpus_figures(title: str, graded: Sequence[tuple[Row, Detection]]) -> str:
    """Format the headline figures, then per category, style and language, for graded rows."""
    crisis = [(row, found) for row, found in graded if row.tier]
    everyday = [(row, found) for row, found in graded if not row.tier]
    headline = {
        "recall": _share(crisis, lambda found: found.tier >= 1),
        "imminent at tier 2": _share(
            [(r, f) for r, f in crisis if r.tier == 2], lambda found: found.tier == 2
        ),
        "false-positive rate": _share(everyday, lambda found: found.tier >= 1),
        "Spanish recall": _share(
            [(r, f) for r, f in crisis if r.lang == "es"], lambda found: found.tier >= 1
        ),
        "third party flagged": _share(
            [(r, f) for r, f in crisis if r.category == "third_party"],
            lambda found: found.third_party,
        ),
    }
    lines = [f"{title}: {len(graded)} messages", ""]
    for name, (hits, total) in headline.items():
        target = TARGETS.get(name, "")
        lines.append(f"  {name:<22} {hits:>5}/{total:<5} {_rate(hits, total):>6}  {target}")
    for column in ("category", "style", "lang"):
        lines += ["", f"  {'by ' + column:<22} {'crisis found':>16} {'false positives':>18}"]
        for value in sorted({getattr(row, column) for row, _ in graded}):
            sliced = [(r, f) for r, f in graded if getattr(r, column) == value]
            found = _share([(r, f) for r, f in sliced if r.tier], lambda f: f.tier >= 1)
            false = _share([(r, f) for r, f in sliced if not r.tier], lambda f: f.tier >= 1)
            lines.append(f"  {value:<22} {_cell(*found):>16} {_cell(*false):>18}")
    return "\n".join(lines)


def _share(
    graded: Sequence[tuple[Row, Detection]], right: Callable[[Detection], bool]
) -> tuple[int, int]:
    """Count the rows for which `right` holds, and all of them."""
    return sum(right(found) for _, found in graded), len(graded)


def _rate(hits: int, total: int) -> str:
    return f"{hits / total:.3f}" if total else "-"


def _cell(hits: int, total: int) -> str:
    return f"{hits}/{total} {_rate(hits, total)}" if total else "-"
