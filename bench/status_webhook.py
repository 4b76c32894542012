"""Benchmark the voice status callback against a bare constant-TwiML endpoint.

    python -m bench.status_webhook [--database postgresql|sqlite] [--seconds 10]

Both run under the production gunicorn config on this machine, in the same run. First real
calls arrive (the incoming-call webhook, as in bench/voice_webhook.py) so each callback has a
waiting contact to close: a "completed" status for a call that was holding closes the contact
as abandoned, takes it out of the waiting line and records its times, once. wrk cycles through
the callbacks, so once each has been sent, repeats measure the duplicate path (Twilio retries).
Prints throughput, p50/p99 and the ratio, and the latency at a steady 100 callbacks a second.
"""

from __future__ import annotations

import argparse
import http.client
import secrets
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, Response
from twilio.request_validator import RequestValidator

from bench.harness import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    PUBLIC_URL,
    bench_settings,
    describe,
    free_port,
    gunicorn,
    percentile,
    steady_rate,
    wrk,
)
from bench.voice_webhook import LINE, seed

INCOMING = "/webhooks/voice/incoming"
PATH = "/webhooks/voice/status"
EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def create_bare_app() -> Flask:
    """Return the yardstick: a bare Flask app answering a status callback with empty TwiML."""
    app = Flask(__name__)

    @app.post(PATH)
    def status():
        return Response(EMPTY, mimetype="text/xml")

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    return app


def calls(count: int, first: int) -> list[dict[str, str]]:
    return [
        {
            "CallSid": "CA" + secrets.token_hex(16),
            "AccountSid": ACCOUNT_SID,
            "To": LINE,
            "From": f"+1415{3000000 + first + index:07d}",
            "Direction": "inbound",
        }
        for index in range(count)
    ]


def sign(path: str, params: dict[str, str]) -> tuple[str, str]:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + path, params)
    return signature, urlencode(params)


def post(base: str, path: str, pair: tuple[str, str]) -> tuple[int, float]:
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    started = time.perf_counter()
    connection.request("POST", path, pair[1], {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": pair[0],
    })  # fmt: skip
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, (time.perf_counter() - started) * 1000


def arrive(base: str, placed: list[dict[str, str]]) -> None:
    """Ring the line once per call so each has an open, waiting contact."""
    pairs = [sign(INCOMING, {**call, "CallStatus": "ringing"}) for call in placed]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = [status for status, _ in pool.map(lambda p: post(base, INCOMING, p), pairs)]
    if any(status != 200 for status in statuses):
        raise RuntimeError(f"incoming calls failed: {sorted(set(statuses))}")


def completions(placed: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [
        sign(PATH, {**call, "CallStatus": "completed", "CallDuration": "42", "SequenceNumber": "3"})
        for call in placed
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--calls", type=int, default=4000, help="calls placed before the load")
    options = parser.parse_args()
    loaded = calls(options.calls, 0)
    steadied = calls(100 * options.seconds, options.calls)
    with tempfile.TemporaryDirectory() as folder, bench_settings(options.database) as settings:
        load = Path(folder) / "bodies.tsv"
        pairs = completions(loaded)
        load.write_text("".join(f"{s}\t{b}\n" for s, b in pairs))
        seed(settings)
        results = {}
        with gunicorn(settings, "bench.status_webhook:create_bare_app()", free_port()) as base:
            wrk(base + PATH, load, seconds=2, connections=options.connections)  # warm up
            results["bare"] = wrk(
                base + PATH, load, seconds=options.seconds, connections=options.connections
            )
        with gunicorn(settings, "warmline.app:create_app()", free_port()) as base:
            arrive(base, loaded + steadied)
            results["warmline"] = wrk(
                base + PATH, load, seconds=options.seconds, connections=options.connections
            )
            steady_pairs = completions(steadied)

            def send(index: int) -> float:
                status, elapsed = post(base, PATH, steady_pairs[index % len(steady_pairs)])
                if status != 200:
                    raise RuntimeError(f"status {status}")
                return elapsed

            latencies = steady_rate(send, rate=100, seconds=options.seconds)
    print(f"database: {options.database}, {options.connections} connections, "
          f"{options.seconds} s each, {options.calls} calls closed")  # fmt: skip
    print("| endpoint | requests/s | p50 ms | p99 ms | errors |")
    print("|---|---|---|---|---|")
    for name, result in results.items():
        print(f"| {name} | {result.requests_per_second:.0f} | {result.p50_ms:.1f} | "
              f"{result.p99_ms:.1f} | {result.errors} |")  # fmt: skip
    ratio = results["warmline"].requests_per_second / results["bare"].requests_per_second
    print(f"throughput ratio warmline/bare: {ratio:.2f}")
    print(f"steady 100 callbacks/s: {describe(latencies)}")
    print(f"p99 at 100 callbacks/s: {percentile(latencies, 0.99):.1f} ms")


if __name__ == "__main__":
    main()
