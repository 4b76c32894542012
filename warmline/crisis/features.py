"""Turn a message into the hashed n-grams the crisis model reads, in two blocks.

The character block: n-grams of every word (2 to 5 characters, the word padded by a space
each side), so a typo or a stretched word still shares most of its pieces with the spelling
the model learnt. The word block: words, word pairs and word triples, for phrasing ("on the
roof", "the engine running"); a Chinese or Japanese character is a word of its own. Each
block is hashed into a table of its own and weighed to unit length on its own (model.py,
train.py), so the few phrases of a message count as much as its many character pieces. The
model keeps no vocabulary and an unseen n-gram costs nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from zlib import crc32

from warmline.crisis.normalise import EMOJI, HAN, fold

# Each block's table size: large enough that few n-grams of the corpus share a slot. Character
# n-grams hash into [0, BUCKETS), words into [BUCKETS, 2 * BUCKETS).
BUCKETS = 1 << 19
SLOTS = 2 * BUCKETS
CHAR_SIZES = (2, 3, 4, 5)
WORD_SIZES = (1, 2, 3)

# A Chinese or Japanese character is a word: the word block holds its characters, pairs and
# triples ("想死", "不想活").
_WORD = re.compile(rf"[{EMOJI}]|[{HAN}]|(?:(?![{HAN}])\w)+|[?!]")


def _slot(gram: str) -> int:
    return crc32(gram.encode("utf-8")) % BUCKETS


def ngram_counts(text: str) -> Counter[int]:
    """Count a message's character n-grams and word n-grams by their hashed slot."""
    words = _WORD.findall(fold(text))
    counts: Counter[int] = Counter()
    for word in words:
        padded = f" {word} "
        for size in CHAR_SIZES:
            counts.update(_slot(padded[i : i + size]) for i in range(len(padded) - size + 1))
    for size in WORD_SIZES:
        counts.update(
            BUCKETS + _slot(" ".join(words[i : i + size])) for i in range(len(words) - size + 1)
        )
    return counts
