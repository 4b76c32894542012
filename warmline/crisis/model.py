"""The learned crisis scorer: linear heads over hashed n-grams, read from a committed file.

`warmline crisis train` writes the files (warmline/crisis/train.py); this module only reads and
scores them, in plain Python, so a process running the line needs no machine-learning library.
Each file is loaded once per process and never changed after, so scoring is thread-safe.

There are two files. One grades messages in the line's languages (English, Spanish, or neither
surely identified) and learns from those alone; the other grades messages in a language the
line does not speak (language.INTERPRETED), learns from every message and sets its bars on
those languages' messages alone. So neither group's messages move the other's weights or
spend the other's false-alarm budget.

File layout (little-endian): 8 bytes of magic, a 4-byte header length, a JSON header (bucket
count, n-gram sizes, intercepts, thresholds, what it was trained on), then the slots the
training corpus used as int32 and, for each, its rarity and the three heads' weights as float32.
"""

from __future__ import annotations

import json
import math
import struct
from array import array
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from functools import lru_cache
from importlib import resources

from warmline.crisis.features import BUCKETS, CHAR_SIZES, SLOTS, WORD_SIZES, ngram_counts
from warmline.crisis.language import INTERPRETED

MAGIC = b"WLCRISIS"
FILE_NAME = "crisis-model.bin"
INTERPRETED_FILE_NAME = "crisis-model-interpreted.bin"
# Raised whenever features.py changes what a slot holds, so that an older file is refused.
_FORMAT = 4


class ModelFileError(ValueError):
    """The model file is not one this code wrote."""


@dataclass(frozen=True)
class Thresholds:
    """Where each head's score turns into a verdict, chosen on validation folds, never the test.

    `crisis` and `imminent` grade a message on the model alone; `corroborate` is the lower bar
    a rules hit must clear to stand (below it the model finds the message unlike any crisis);
    `someone_else` marks a crisis message as about another person at risk.
    """

    crisis: float
    imminent: float
    corroborate: float
    someone_else: float


@dataclass(frozen=True)
class Scores:
    """The heads' scores for one message (log-odds; higher means more likely)."""

    crisis: float
    imminent: float
    someone_else: float = -math.inf


@dataclass(frozen=True)
class Model:
    """A trained scorer: per hashed slot its rarity and each head's weight.

    Each table is a flat array over every slot (4 MB each), 0 where training saw nothing. The
    heads, in order: crisis (tier 1 or 2), imminent (tier 2), someone else at risk.
    """

    idf: array
    weights: tuple[array, array, array]
    intercepts: tuple[float, float, float]
    thresholds: Thresholds
    trained_on: dict[str, int]

    def score(self, text: str) -> Scores:
        """Score one message on every head.

        Each n-gram slot weighs (1 + log count) times its rarity; each block of the message
        (characters, words) is scaled to unit length and the two together to unit length
        again (train.py weighs the same). A slot training never saw is left out.
        """
        idf = self.idf
        heads = self.weights
        norms = [0.0, 0.0]
        sums = [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
        for slot, count in ngram_counts(text).items():
            rarity = idf[slot]
            if rarity:
                weight = (1.0 + math.log(count)) * rarity if count > 1 else rarity
                block = slot >= BUCKETS
                norms[block] += weight * weight
                into = sums[block]
                for head, table in enumerate(heads):
                    into[head] += table[slot] * weight
        present = sum(1 for norm in norms if norm)
        totals = list(self.intercepts)
        for norm, block_sums in zip(norms, sums, strict=True):
            if norm:
                scale = 1.0 / math.sqrt(norm * present)
                for head, block_sum in enumerate(block_sums):
                    totals[head] += block_sum * scale
        return Scores(*totals)

    def dumps(self) -> bytes:
        """Serialise the model the same way every time for the same weights."""
        slots = [slot for slot, rarity in enumerate(self.idf) if rarity]
        header = {
            "format": _FORMAT,
            "buckets": BUCKETS,
            "char_sizes": list(CHAR_SIZES),
            "word_sizes": list(WORD_SIZES),
            "slots": len(slots),
            "intercepts": list(self.intercepts),
            "thresholds": list(astuple(self.thresholds)),
            "trained_on": self.trained_on,
        }
        encoded = json.dumps(header, sort_keys=True).encode("utf-8")
        body = array("i", slots).tobytes()
        for table in (self.idf, *self.weights):
            body += array("f", (table[slot] for slot in slots)).tobytes()
        return MAGIC + struct.pack("<I", len(encoded)) + encoded + body


def loads(data: bytes) -> Model:
    """Read a model file's bytes; raise ModelFileError if they are not a model of this code."""
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 4:
        raise ModelFileError("not a crisis model file")
    (length,) = struct.unpack_from("<I", data, len(MAGIC))
    start = len(MAGIC) + 4
    try:
        header = json.loads(data[start : start + length])
    except ValueError:
        raise ModelFileError("the model file's header is not JSON") from None
    if not isinstance(header, dict) or header.get("format") != _FORMAT:
        raise ModelFileError("the model file is of another format")
    features = (header.get("buckets"), header.get("char_sizes"), header.get("word_sizes"))
    if features != (BUCKETS, list(CHAR_SIZES), list(WORD_SIZES)):
        raise ModelFileError("the model file was written for other features")
    count = header["slots"]
    tables = []
    offset = start + length
    for code in ("i", "f", "f", "f", "f"):
        table = array(code)
        end = offset + count * table.itemsize
        if end > len(data):
            raise ModelFileError("the model file is cut short")
        table.frombytes(data[offset:end])
        tables.append(table)
        offset = end
    if offset != len(data):
        raise ModelFileError("the model file has bytes past its tables")
    slots, *values = tables
    if any(not 0 <= slot < SLOTS for slot in slots):
        raise ModelFileError("the model file names a slot outside the table")
    idf, crisis, imminent, someone_else = (flat(slots, table) for table in values)
    return Model(
        idf=idf,
        weights=(crisis, imminent, someone_else),
        intercepts=tuple(header["intercepts"]),
        thresholds=Thresholds(*header["thresholds"]),
        trained_on=header["trained_on"],
    )


def flat(slots: Sequence[int], values: Sequence[float]) -> array:
    """Spread the values of the listed slots over a table of every slot, zeros elsewhere."""
    table = array("f", bytes(SLOTS * 4))
    for slot, value in zip(slots, values, strict=True):
        table[slot] = value
    return table


@lru_cache(maxsize=2)
def _committed(name: str) -> Model:
    """Return a committed model, read on first use and shared by every thread after."""
    return loads(resources.files("warmline.crisis").joinpath(name).read_bytes())


def model() -> Model:
    """Return the committed model of the line's languages."""
    return _committed(FILE_NAME)


def interpreted_model() -> Model:
    """Return the committed model of the languages the line does not speak."""
    return _committed(INTERPRETED_FILE_NAME)


def model_for(language: str) -> Model:
    """Return the model that grades a message in this language (a Detection's language)."""
    return interpreted_model() if language in INTERPRETED else model()
