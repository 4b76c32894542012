"""Scan everything the line kept for callers' numbers and words: the database, Redis (what it
holds now, and every write its append-only file kept, deleted keys included), the logs.

Used by bench/busy_day.py after the day. A number is looked for in every format a program
could write it: E.164 (+14152000001), digits only with or without the country code
(14152000001, 4152000001), and national layouts ((415) 200-0001, 415-200-0001, 415 200 0001,
415.200.0001). Every run of digits in a document, with any separators of the shapes above,
is reduced to its digits and every 10-digit window checked against the callers' numbers.
Message texts are looked for whole, and by a word unique to each message.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import zlib
from pathlib import Path

from bench.stack import DayStack
from warmline.redis_client import redis_client

# Digits possibly split by the separators national layouts use: "(415) 200-0001" and so on.
DIGITS = re.compile(rb"\+?\(?\d[\d\s().-]{8,}\d")


def number_forms(e164: str) -> list[str]:
    national = e164.removeprefix("+1")
    area, exchange, line = national[:3], national[3:6], national[6:]
    return [
        e164,
        e164.removeprefix("+"),
        national,
        f"({area}) {exchange}-{line}",
        f"{area}-{exchange}-{line}",
        f"{area} {exchange} {line}",
        f"{area}.{exchange}.{line}",
    ]


def find_numbers(blob: bytes, nationals: set[bytes]) -> set[bytes]:
    """Return the callers' 10-digit numbers found anywhere in `blob`, in any layout."""
    found = set()
    for match in DIGITS.finditer(blob):
        digits = re.sub(rb"\D", b"", match.group())
        for start in range(len(digits) - 9):
            window = digits[start : start + 10]
            if window in nationals:
                found.add(window)
    return found


def redis_documents(url: str) -> list[tuple[str, bytes]]:
    """Every key with everything it holds, RQ's compressed job data decompressed too."""
    client = redis_client(url)
    documents = []
    try:
        for key in client.scan_iter(count=1000):
            kind = client.type(key).decode()
            if kind == "string":
                parts = [client.get(key) or b""]
            elif kind == "hash":
                parts = [b for pair in client.hgetall(key).items() for b in pair]
            elif kind == "list":
                parts = client.lrange(key, 0, -1)
            elif kind == "set":
                parts = list(client.smembers(key))
            elif kind == "zset":
                parts = [member for member, _ in client.zrange(key, 0, -1, withscores=True)]
            elif kind == "stream":
                parts = [
                    b for _id, fields in client.xrange(key) for pair in fields.items() for b in pair
                ]
            else:
                parts = []
            expanded = [key]
            for part in parts:
                expanded.append(part)
                with contextlib.suppress(zlib.error):
                    expanded.append(zlib.decompress(part))
            documents.append((key.decode(errors="replace"), b"\n".join(expanded)))
    finally:
        client.close()
    return documents


# One bulk string of the Redis protocol, as the append-only file writes each command's arguments.
BULK = re.compile(rb"\$(\d+)\r\n")


def aof_documents(directory: Path) -> list[tuple[str, bytes]]:
    """Every append-only file Redis wrote under `directory`, each argument of each command
    on a line of its own, RQ's compressed job data decompressed too."""
    documents = []
    for path in sorted(directory.rglob("*.aof")):
        blob = path.read_bytes()
        parts = []
        position = 0
        while match := BULK.search(blob, position):
            start = match.end()
            argument = blob[start : start + int(match.group(1))]
            parts.append(argument)
            with contextlib.suppress(zlib.error):
                parts.append(zlib.decompress(argument))
            position = start + len(argument)
        documents.append((f"redis append-only file {path.name}", b"\n".join(parts)))
    return documents


def database_dump(url: str) -> bytes:
    return subprocess.run(
        ["pg_dump", "--no-owner", "--data-only", "--inserts", url],
        capture_output=True, check=True,
    ).stdout  # fmt: skip


def scan(
    documents: list[tuple[str, bytes]], numbers: list[str], texts: list[str], markers: list[str]
) -> dict:
    nationals = {n.removeprefix("+1").encode() for n in numbers}
    hits: dict[str, list[str]] = {"numbers": [], "texts": [], "markers": []}
    lowered_texts = [t.lower().encode() for t in texts]
    lowered_markers = [m.lower().encode() for m in markers]
    for where, blob in documents:
        for number in sorted(find_numbers(blob, nationals)):
            hits["numbers"].append(f"{where}: {number.decode()}")
        lowered = blob.lower()
        for text in lowered_texts:
            if text in lowered:
                hits["texts"].append(f"{where}: {text.decode()[:40]}")
        for marker in lowered_markers:
            if marker in lowered:
                hits["markers"].append(f"{where}: {marker.decode()}")
    return hits


def audit(day: DayStack, *, numbers: list[str], texts: list[str], markers: list[str]) -> dict:
    """Scan the day's database, Redis and logs; return what was scanned and every hit."""
    dump = database_dump(day.database_direct_url)
    keys = redis_documents(day.line.settings.redis_url)
    appended = aof_documents(day.line.redis.directory)
    logs = [
        (f"log {path.name}", path.read_bytes())
        for path in sorted(day.line.processes.directory.glob("*.log"))
    ]
    log_lines = sum(blob.count(b"\n") for _, blob in logs)
    documents = [
        ("database dump", dump), *[(f"redis {k}", v) for k, v in keys], *appended, *logs,
    ]  # fmt: skip
    hits = scan(documents, numbers, texts, markers)
    # The scanner must find what it looks for: plant one of each and expect three hits.
    if numbers and texts and markers:
        planted = [("planted", f"{number_forms(numbers[0])[3]} said {texts[0]}".encode())]
        check = scan(planted, numbers[:1], texts[:1], markers)
        assert check["numbers"] and check["texts"], "the privacy scanner misses what it seeks"
    return {
        "scanned": {
            "database_dump_bytes": len(dump),
            "redis_keys": len(keys),
            "redis_bytes": sum(len(v) for _, v in keys),
            "redis_append_only_files": len(appended),
            "redis_append_only_bytes": sum(len(v) for _, v in appended),
            "log_files": len(logs),
            "log_lines": log_lines,
            "numbers": len(numbers),
            "texts": len(texts),
            "markers": len(markers),
        },
        "hits": {kind: found[:50] for kind, found in hits.items()},
        "hit_counts": {kind: len(found) for kind, found in hits.items()},
    }
