"""Time the crisis detector on 160-character messages; print microseconds per message."""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path

from warmline.crisis import detect
from warmline.crisis.report import read_examples

DATA = Path(__file__).resolve().parents[1] / "tests" / "crisis" / "data" / "messages.tsv"
LENGTH = 160
ROUNDS = 5


def messages(count: int = 2000) -> list[str]:
    """Build 160-character messages from the development set, each with a unique word."""
    texts = [e.text for e in read_examples(DATA)]
    rng = random.Random(988)
    built = []
    for n in range(count):
        # A fresh word per message keeps the token cache honest (a cold lookup each time).
        text = f"{rng.choice(texts)} zq{n}x"
        while len(text) < LENGTH:
            text = f"{text} {rng.choice(texts)}"
        built.append(text[:LENGTH])
    return built


def main() -> None:
    """Load once, then time detect() over the messages a few rounds; print the figures."""
    started = time.perf_counter()
    detect("warm up")
    load = time.perf_counter() - started
    batch = messages()
    per_message = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for text in batch:
            detect(text)
        per_message.append((time.perf_counter() - started) / len(batch) * 1e6)
    worst = 0.0
    for text in batch[:500]:
        started = time.perf_counter()
        detect(text)
        worst = max(worst, time.perf_counter() - started)
    print(f"lexicon load: {load * 1000:.1f} ms (once per process)")
    print(f"messages: {len(batch)} x {LENGTH} chars, {ROUNDS} rounds")
    print(f"median per message: {statistics.median(per_message):.0f} us")
    print(f"slowest single message: {worst * 1e6:.0f} us")


if __name__ == "__main__":
    main()
