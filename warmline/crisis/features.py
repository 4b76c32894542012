"""Turn a message into the hashed n-grams the crisis model reads.

Character n-grams of every word (2 to 5 characters, the word padded by a space each side), so
a typo, a stretched word or a script written without spaces still shares most of its pieces
with the spelling the model learnt; and words and word pairs, for phrasing. Every n-gram is
hashed into a fixed table, so the model keeps no vocabulary and an unseen word costs nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise
from zlib import crc32

from warmline.crisis.normalise import EMOJI, fold

# The hashed table's size: large enough that few n-grams of the corpus share a slot.
BUCKETS = 1 << 18
CHAR_SIZES = (2, 3, 4, 5)

_WORD = re.compile(rf"[{EMOJI}]|\w+")


def ngram_counts(text: str) -> Counter[int]:
    """Count a message's character, word and word-pair n-grams by their hashed slot."""
    words = _WORD.findall(fold(text))
    grams: list[str] = []
    for word in words:
        padded = f" {word} "
        for size in CHAR_SIZES:
            grams += [f"c{padded[i : i + size]}" for i in range(len(padded) - size + 1)]
    grams += [f"w{word}" for word in words]
    grams += [f"b{first} {second}" for first, second in pairwise(words)]
    return Counter(crc32(gram.encode("utf-8")) % BUCKETS for gram in grams)
