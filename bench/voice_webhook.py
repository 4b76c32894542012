"""Benchmark the incoming-call webhook against a bare constant-TwiML endpoint.

    python -m bench.voice_webhook [--database postgresql|sqlite] [--seconds 10]

Both run under the production gunicorn config (WEB_CONCURRENCY processes of 4 threads) on
this machine, in the same run; every request is a new call with a valid signature, to a
line with a specialist on shift, so it takes the full path: caller tag, database insert,
Redis waiting line, RQ job. Prints throughput, p50/p99 and the ratio, then the latency at a
steady 100 requests a second.
"""

from __future__ import annotations

import argparse
import http.client
import secrets
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from bench.harness import (
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
from warmline.app import create_app
from warmline.lines import add_line
from warmline.people import add_user
from warmline.presence import become_available

LINE = "+15017122661"
PATH = "/webhooks/voice/incoming"


def signed_bodies(count: int) -> list[tuple[str, str]]:
    """Return (signature, form body) pairs, each a distinct call from a distinct caller."""
    validator = RequestValidator(AUTH_TOKEN)
    pairs = []
    for index in range(count):
        params = {
            "CallSid": "CA" + secrets.token_hex(16),
            "AccountSid": "AC" + "b" * 32,
            "To": LINE,
            "From": f"+1415555{index % 10000:04d}",
            "CallStatus": "ringing",
            "Direction": "inbound",
        }
        pairs.append((validator.compute_signature(PUBLIC_URL + PATH, params), urlencode(params)))
    return pairs


def seed(settings) -> None:
    """One line, one specialist on shift: callers are greeted and put in line."""
    app = create_app(settings)
    services = app.extensions["warmline"]
    with services.sessions() as session:
        line = add_line(session, name="Bench Line", twilio_number=LINE, daily_contact_limit=0)
        specialist = add_user(
            session, email="bench@example.org", display_name="Bench",
            password="bench password 123", phone="+14155550100",
        )  # fmt: skip
        session.commit()
        become_available(
            session, services.redis, services.jobs, line_id=line.id,
            specialist_id=specialist.id,
        )  # fmt: skip
    services.engine.dispose()


def steady(base: str, pairs: list[tuple[str, str]], *, rate: int, seconds: int) -> list[float]:
    host, port = base.removeprefix("http://").split(":")

    def send(index: int) -> float:
        signature, body = pairs[index % len(pairs)]
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        started = time.perf_counter()
        connection.request("POST", PATH, body, {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        })  # fmt: skip
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != 200:
            raise RuntimeError(f"status {response.status}")
        return (time.perf_counter() - started) * 1000

    return steady_rate(send, rate=rate, seconds=seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    options = parser.parse_args()
    pairs = signed_bodies(60_000)
    with tempfile.TemporaryDirectory() as folder, bench_settings(options.database) as settings:
        bodies = Path(folder) / "bodies.tsv"
        bodies.write_text("".join(f"{s}\t{b}\n" for s, b in pairs))
        seed(settings)
        results = {}
        for name, target in (("bare", "bench.bare_app:create_app()"),
                             ("warmline", "warmline.app:create_app()")):  # fmt: skip
            with gunicorn(settings, target, free_port()) as base:
                wrk(base + PATH, bodies, seconds=2, connections=options.connections)  # warm up
                results[name] = wrk(
                    base + PATH, bodies, seconds=options.seconds, connections=options.connections
                )
                if name == "warmline":
                    latencies = steady(base, pairs[::-1], rate=100, seconds=options.seconds)
        print(f"database: {options.database}, {options.connections} connections, "
              f"{options.seconds} s each")  # fmt: skip
        print("| endpoint | requests/s | p50 ms | p99 ms | errors |")
        print("|---|---|---|---|---|")
        for name, result in results.items():
            print(f"| {name} | {result.requests_per_second:.0f} | {result.p50_ms:.1f} | "
                  f"{result.p99_ms:.1f} | {result.errors} |")  # fmt: skip
        ratio = results["warmline"].requests_per_second / results["bare"].requests_per_second
        print(f"throughput ratio warmline/bare: {ratio:.2f}")
        print(f"steady 100 requests/s: {describe(latencies)}")
        print(f"p99 at 100 requests/s: {percentile(latencies, 0.99):.1f} ms (target < 50 ms)")


if __name__ == "__main__":
    main()
