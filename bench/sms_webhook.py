"""Benchmark the incoming-text webhook against a bare constant-TwiML endpoint.

    python -m bench.sms_webhook [--database postgresql|sqlite] [--seconds 10]

Both run under the production gunicorn config on this machine, in the same run. Every
request is a distinct, validly signed text to a line with a specialist on shift: one in ten
opens a new conversation (caller tag, checks, a contact row, the waiting line, a sealed
number and message), the others join their texter's open one; bodies come from the crisis
detector's development set, so a third or so are crisis texts answered with a referral.
Prints throughput, p50/p99 and the ratio, the latency at a steady 100 texts a second, and the
crisis detector's share of a text's time (its in-process cost over the steady mean latency).
"""

from __future__ import annotations

import argparse
import http.client
import random
import secrets
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, Response
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
from warmline.crisis import detect
from warmline.crisis.report import read_examples
from warmline.lines import add_line
from warmline.people import add_user
from warmline.presence import become_available

LINE = "+15017122661"
PATH = "/webhooks/sms/incoming"
DATA = Path(__file__).resolve().parents[1] / "tests" / "crisis" / "data" / "messages.tsv"
TEXTS_PER_TEXTER = 10
CONSTANT = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thank you for texting. In '
    "crisis, call or text 988.</Message></Response>"
)


def create_bare_app() -> Flask:
    """Return the yardstick: a bare Flask app answering a text with constant TwiML."""
    app = Flask(__name__)

    @app.post(PATH)
    def incoming():
        return Response(CONSTANT, mimetype="text/xml")

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    return app


def bodies(count: int) -> list[str]:
    texts = [example.text for example in read_examples(DATA)]
    rng = random.Random(988)
    return [rng.choice(texts) for _ in range(count)]


def signed_bodies(messages: list[str]) -> list[tuple[str, str]]:
    """Return (signature, form body) pairs: distinct MessageSids, ten texts per texter."""
    validator = RequestValidator(AUTH_TOKEN)
    pairs = []
    for index, body in enumerate(messages):
        texter = index // TEXTS_PER_TEXTER
        params = {
            "MessageSid": "SM" + secrets.token_hex(16),
            "AccountSid": "AC" + "b" * 32,
            "To": LINE,
            "From": f"+1415{2000000 + texter:07d}",
            "Body": body,
            "NumMedia": "0",
            "NumSegments": "1",
        }
        pairs.append((validator.compute_signature(PUBLIC_URL + PATH, params), urlencode(params)))
    return pairs


def seed(settings) -> None:
    """One line, one specialist on shift: texters are welcomed and put in line."""
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


def detector_ms(messages: list[str]) -> float:
    """Return detect()'s mean cost per text, in this process, after loading the lexicon."""
    detect("warm up")
    started = time.perf_counter()
    for body in messages:
        detect(body)
    return (time.perf_counter() - started) / len(messages) * 1000


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
    messages = bodies(60_000)
    pairs = signed_bodies(messages)
    # The steady run uses texters the load run never saw, in their order.
    steady_pairs = signed_bodies(bodies(100 * options.seconds))
    with tempfile.TemporaryDirectory() as folder, bench_settings(options.database) as settings:
        load = Path(folder) / "bodies.tsv"
        load.write_text("".join(f"{s}\t{b}\n" for s, b in pairs))
        seed(settings)
        results = {}
        for name, target in (("bare", "bench.sms_webhook:create_bare_app()"),
                             ("warmline", "warmline.app:create_app()")):  # fmt: skip
            with gunicorn(settings, target, free_port()) as base:
                wrk(base + PATH, load, seconds=2, connections=options.connections)  # warm up
                results[name] = wrk(
                    base + PATH, load, seconds=options.seconds, connections=options.connections
                )
                if name == "warmline":
                    latencies = steady(base, steady_pairs, rate=100, seconds=options.seconds)
    detecting = detector_ms(messages[:5000])
    print(f"database: {options.database}, {options.connections} connections, "
          f"{options.seconds} s each")  # fmt: skip
    print("| endpoint | requests/s | p50 ms | p99 ms | errors |")
    print("|---|---|---|---|---|")
    for name, result in results.items():
        print(f"| {name} | {result.requests_per_second:.0f} | {result.p50_ms:.1f} | "
              f"{result.p99_ms:.1f} | {result.errors} |")  # fmt: skip
    ratio = results["warmline"].requests_per_second / results["bare"].requests_per_second
    print(f"throughput ratio warmline/bare: {ratio:.2f}")
    print(f"steady 100 texts/s: {describe(latencies)}")
    print(f"p99 at 100 texts/s: {percentile(latencies, 0.99):.1f} ms")
    mean = statistics.fmean(latencies)
    print(f"crisis detector: {detecting:.3f} ms per text, {detecting / mean:.1%} of the "
          f"{mean:.1f} ms mean at 100 texts/s")  # fmt: skip


if __name__ == "__main__":
    main()
