"""Scale of the waiting line: enqueue, claim and position lookup as the line grows, and memory.

    python -m bench.line_scale [--contacts 10000] [--specialists 1000] [--json PATH]

Against a private redis-server on a unix socket, through `warmline.live.LiveLine` (the same
Lua scripts the web and worker processes run). Two layouts: every contact and specialist on
one line, and the same numbers spread over 100 lines. While the line grows from empty to
`--contacts`, every enqueue is timed; at checkpoints, position lookups of random waiting
contacts and claims (each undone with a `release`, so the line keeps its size) are timed.
Memory per waiting contact is INFO memory's `used_memory` growth over the contacts enqueued,
and MEMORY USAGE of one contact's hash. Two further probes look at the claim's scan window
(CLAIM_SCAN contacts): a line whose first contacts speak a language no free specialist speaks,
and a caller behind more than CLAIM_SCAN waiting texts.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import redis

from bench.harness import percentile, write_results
from tests.services import throwaway_redis
from warmline.live import CLAIM_SCAN, LiveLine

LEASE_MS = 25_000
CHECKPOINTS = 20
SAMPLES_PER_CHECKPOINT = 20


def _us(started: float) -> float:
    return (time.perf_counter() - started) * 1e6


def used_memory(client: redis.Redis) -> int:
    return int(client.info("memory")["used_memory"])


def grow(client: redis.Redis, *, lines: int, contacts: int, specialists: int) -> dict:
    """Fill `lines` lines round robin; return timings by line size and memory figures."""
    client.flushall()
    live = [LiveLine(client, line_id) for line_id in range(1, lines + 1)]
    base_ms = int(time.time() * 1000) - 3_600_000
    available_us = []
    for index in range(specialists):
        started = time.perf_counter()
        live[index % lines].go_available(10_000 + index, ["en"], ready_ms=base_ms + index)
        available_us.append(_us(started))
    before = used_memory(client)
    rng = random.Random(9)
    enqueue = []  # (waiting on that line before, microseconds)
    positions = []  # (waiting on that line, microseconds)
    claims = []  # (waiting on that line, microseconds)
    checkpoint_every = max(1, contacts // CHECKPOINTS)
    for index in range(contacts):
        line = live[index % lines]
        contact_id = 1_000_000 + index
        size = index // lines
        started = time.perf_counter()
        line.enqueue(
            contact_id,
            language="en",
            tier=2 if index % 20 == 0 else 0,
            arrived_ms=base_ms + index,
            call_sid="CA" + f"{index:032x}",
            max_wait=600,
            speech=0,
            hold="",
        )
        enqueue.append((size, _us(started)))
        if (index + 1) % checkpoint_every == 0:
            waiting_here = size + 1
            for _ in range(SAMPLES_PER_CHECKPOINT):
                sample = rng.randrange(index + 1)
                target = live[sample % lines]
                started = time.perf_counter()
                place = target.position(1_000_000 + sample)
                positions.append((waiting_here, _us(started)))
                assert place is not None
            for _ in range(SAMPLES_PER_CHECKPOINT // 4):
                started = time.perf_counter()
                claim = line.claim(lease_ms=LEASE_MS)
                claims.append((waiting_here, _us(started)))
                assert claim is not None
                line.resolve(claim.contact_id, claim.specialist_ids[0], "release")
                line.finish_offer(claim.contact_id)
    after = used_memory(client)
    one_hash = client.memory_usage(live[0].prefix + "contact:1000000")
    waiting_zset = client.memory_usage(live[0].prefix + "waiting")
    waiting_on_first = client.zcard(live[0].prefix + "waiting")
    drain = []
    for _ in range(min(specialists, contacts)):
        line = live[rng.randrange(lines)]
        started = time.perf_counter()
        claim = line.claim(lease_ms=LEASE_MS)
        drain.append(_us(started))
        if claim is None:
            drain.pop()
    return {
        "lines": lines,
        "contacts": contacts,
        "specialists": specialists,
        "go_available_us": _summary(available_us),
        "enqueue": enqueue,
        "position": positions,
        "claim": claims,
        "claim_drain_us": _summary(drain),
        "memory_bytes_per_contact": (after - before) / contacts,
        "memory_usage_contact_hash": one_hash,
        "memory_usage_waiting_zset_per_member": waiting_zset / max(1, waiting_on_first),
        "used_memory_total": after,
    }


def language_mismatch(client: redis.Redis, *, contacts: int, specialists: int) -> dict:
    """Time a claim when the first CLAIM_SCAN waiting speak a language no free specialist does."""
    client.flushall()
    line = LiveLine(client, 1)
    base_ms = int(time.time() * 1000) - 3_600_000
    for index in range(specialists):
        line.go_available(10_000 + index, ["en"], ready_ms=base_ms + index)
    for index in range(contacts):
        language = "es" if index < CLAIM_SCAN else "en"
        line.enqueue(1_000_000 + index, language=language, tier=0, arrived_ms=base_ms + index)
    times = []
    for _ in range(20):
        started = time.perf_counter()
        claim = line.claim(lease_ms=LEASE_MS)
        times.append(_us(started))
        claimed = claim is not None
        if claim is not None:
            line.resolve(claim.contact_id, claim.specialist_ids[0], "release")
            line.finish_offer(claim.contact_id)
    return {"claim_us": _summary(times), "found_an_english_caller": claimed}


def calls_behind_texts(client: redis.Redis, *, texts: int) -> dict:
    """Whether a caller behind `texts` waiting text conversations is still offered a phone."""
    client.flushall()
    line = LiveLine(client, 1)
    base_ms = int(time.time() * 1000) - 3_600_000
    line.go_available(10_000, ["en"], ready_ms=base_ms)
    for index in range(texts):
        line.enqueue_text(1_000_000 + index, language="en", tier=0, arrived_ms=base_ms + index)
    line.enqueue(2_000_000, language="en", tier=0, arrived_ms=base_ms + texts)
    started = time.perf_counter()
    claim = line.claim(lease_ms=LEASE_MS)
    return {
        "texts_ahead": texts,
        "claim_us": _us(started),
        "caller_offered": claim is not None and claim.contact_id == 2_000_000,
    }


def _summary(samples: list[float]) -> dict:
    if not samples:
        return {}
    return {
        "n": len(samples),
        "p50": percentile(samples, 0.5),
        "p99": percentile(samples, 0.99),
        "mean": statistics.fmean(samples),
        "max": max(samples),
    }


def by_size(points: list[tuple[int, float]], buckets: int = 10) -> list[dict]:
    """Group (size, µs) samples into size buckets: median and p99 per bucket."""
    if not points:
        return []
    top = max(size for size, _ in points) + 1
    width = max(1, -(-top // buckets))
    grouped: dict[int, list[float]] = {}
    for size, value in points:
        grouped.setdefault(size // width, []).append(value)
    return [
        {
            "from": bucket * width,
            "to": min(top, (bucket + 1) * width) - 1,
            **_summary(values),
        }
        for bucket, values in sorted(grouped.items())
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--specialists", type=int, default=1_000)
    parser.add_argument("--json", type=Path, help="write the figures and samples here")
    options = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as folder, throwaway_redis(Path(folder)) as url:
        client = redis.Redis.from_url(url)
        for lines in (1, 100):
            results[f"lines_{lines}"] = grow(
                client, lines=lines, contacts=options.contacts, specialists=options.specialists
            )
        results["language_mismatch"] = language_mismatch(
            client, contacts=options.contacts, specialists=options.specialists
        )
        results["calls_behind_texts"] = [
            calls_behind_texts(client, texts=count) for count in (10, CLAIM_SCAN - 1, CLAIM_SCAN)
        ]
        results["redis_version"] = client.info("server")["redis_version"]
        client.close()
    for name in ("lines_1", "lines_100"):
        figures = results[name]
        print(f"{name}: {figures['contacts']} contacts, {figures['specialists']} specialists")
        for kind in ("enqueue", "position", "claim"):
            rows = by_size(figures[kind], buckets=4)
            cells = ", ".join(
                f"{row['from']}-{row['to']}: p50 {row['p50']:.0f} µs p99 {row['p99']:.0f} µs"
                for row in rows
            )
            print(f"  {kind} by waiting on the line: {cells}")
        drain = figures["claim_drain_us"]
        print(f"  claims draining the line: p50 {drain['p50']:.0f} µs p99 {drain['p99']:.0f} µs")
        print(
            f"  memory: {figures['memory_bytes_per_contact']:.0f} B per waiting contact "
            f"(INFO used_memory); contact hash {figures['memory_usage_contact_hash']} B, "
            f"{figures['memory_usage_waiting_zset_per_member']:.0f} B per zset member"
        )
    mismatch = results["language_mismatch"]
    print(
        f"claim with the first {CLAIM_SCAN} waiting in a language nobody free speaks: "
        f"p50 {mismatch['claim_us']['p50']:.0f} µs, p99 {mismatch['claim_us']['p99']:.0f} µs, "
        f"caller behind them found: {mismatch['found_an_english_caller']}"
    )
    for probe in results["calls_behind_texts"]:
        print(
            f"caller behind {probe['texts_ahead']} waiting texts offered: "
            f"{probe['caller_offered']} ({probe['claim_us']:.0f} µs)"
        )
    if options.json:
        write_results(options.json, results)


if __name__ == "__main__":
    main()
