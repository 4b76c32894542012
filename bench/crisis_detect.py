"""Time the line's crisis detector (rules and model) on 160-character messages; measure its memory.

Prints the model file's size, what loading the lexicon, the language identifier and both models
(the line's languages, the others) adds to the process's
resident memory, and the per-message p50, p99 and slowest time over a few rounds (issue 15:
under 2 ms p99 and 100 MB per process). `--json PATH` also writes the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from pathlib import Path

import psutil

from warmline.crisis import detect
from warmline.crisis.cli import MODEL
from warmline.crisis.detector import detect_by_rules
from warmline.crisis.model import interpreted_model, model
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


def measure() -> dict[str, float]:
    """Load once, then time every message one by one over a few rounds."""
    process = psutil.Process()
    batch = messages()
    before = process.memory_info().rss
    started = time.perf_counter()
    detect_by_rules("warm up")
    rules_loaded = process.memory_info().rss
    model()
    # The languages the line does not speak have a model of their own: count it too.
    interpreted_model()
    load = time.perf_counter() - started
    model_loaded = process.memory_info().rss
    timings, cpu = [], []
    for _ in range(ROUNDS):
        for text in batch:
            started, cpu_started = time.perf_counter(), time.process_time()
            detect(text)
            cpu.append(time.process_time() - cpu_started)
            timings.append(time.perf_counter() - started)
    cuts = statistics.quantiles(timings, n=100)
    cpu_cuts = statistics.quantiles(cpu, n=100)
    return {
        "model_file_bytes": MODEL.stat().st_size,
        "load_ms": load * 1000,
        "memory_added_mb": (model_loaded - before) / 2**20,
        "memory_model_mb": (model_loaded - rules_loaded) / 2**20,
        "messages": len(batch),
        "rounds": ROUNDS,
        "p50_ms": cuts[49] * 1000,
        "p99_ms": cuts[98] * 1000,
        "max_ms": max(timings) * 1000,
        # CPU time leaves out the time other processes held the core: the detector's own cost.
        "cpu_p50_ms": cpu_cuts[49] * 1000,
        "cpu_p99_ms": cpu_cuts[98] * 1000,
        # Wall-clock tails on a shared 2-core machine grow with what else runs: say how much.
        "load_average": os.getloadavg()[0],
    }


def main() -> None:
    """Measure and print the figures; write them as JSON when asked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    arguments = parser.parse_args()
    figures = measure()
    print(f"model file: {figures['model_file_bytes'] / 1024:.0f} KiB")
    print(f"load (lexicon and model): {figures['load_ms']:.0f} ms, once per process")
    print(
        f"memory added by loading: {figures['memory_added_mb']:.1f} MB resident"
        f" (the model's share {figures['memory_model_mb']:.1f} MB)"
    )
    print(f"messages: {figures['messages']} x {LENGTH} chars, {ROUNDS} rounds, one at a time")
    print(f"per message, wall: p50 {figures['p50_ms']:.2f} ms, p99 {figures['p99_ms']:.2f} ms")
    print(f"  CPU time: p50 {figures['cpu_p50_ms']:.2f} ms, p99 {figures['cpu_p99_ms']:.2f} ms")
    print(f"slowest single message: {figures['max_ms']:.2f} ms")
    print(f"load average while measuring: {figures['load_average']:.1f} on {os.cpu_count()} cores")
    if arguments.json:
        arguments.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
