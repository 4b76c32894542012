"""Benchmark one Twilio webhook against two yardsticks: a bare and a durable endpoint.

    python -m bench.webhook_load voice|sms|status [--database postgresql|sqlite] [--seconds 10]

The bare endpoint answers constant TwiML (bench/bare_app.py); the durable one does the least
any warm line's webhook must (bench/durable_app.py: signature, caller tag, one row committed,
one Redis call). All three run under the production gunicorn config (config/gunicorn.py) on
this machine, in the same run, against a line with a specialist on shift; every request is
validly signed. Prints throughput, p50/p99 and warmline's ratio to each yardstick, then
warmline's latency at a steady 100 requests a second. The webhooks:

- `voice`: `POST /webhooks/voice/incoming`, every request a new call from a distinct caller,
  so it takes the full path: caller tag, database insert, Redis waiting line, RQ job.
- `sms`: `POST /webhooks/sms/incoming`, distinct texts: one in ten opens a new conversation
  (caller tag, checks, a contact row, the waiting line, a sealed number and message), the
  others join their texter's open one; bodies come from the crisis detector's development
  set, so a third or so are crisis texts answered with a referral. Also prints the crisis
  detector's share of a text's time (its in-process cost over the steady mean latency).
- `status`: `POST /webhooks/voice/status`. First `--calls` real calls arrive (the incoming-call
  webhook) so each callback has a waiting contact to close: a "completed" status for a call
  that was holding closes the contact as abandoned, takes it out of the waiting line and
  records its times, once. wrk cycles through the callbacks, so once each has been sent,
  repeats measure the duplicate path (Twilio retries).
"""

from __future__ import annotations

import argparse
import http.client
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from bench.durable_app import create_tables
from bench.harness import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    PUBLIC_URL,
    bench_settings,
    describe,
    gunicorn,
    percentile,
    steady_rate,
    wrk,
)
from tests.services import free_port
from warmline.app import create_app
from warmline.crisis import detect
from warmline.crisis.report import read_examples
from warmline.lines import add_line
from warmline.people import add_user
from warmline.presence import become_available

LINE = "+15017122661"
INCOMING_CALL = "/webhooks/voice/incoming"
INCOMING_TEXT = "/webhooks/sms/incoming"
CALL_STATUS = "/webhooks/voice/status"
MESSAGES = Path(__file__).resolve().parents[1] / "tests" / "crisis" / "data" / "messages.tsv"
TEXTS_PER_TEXTER = 10
LOAD_REQUESTS = 60_000
STEADY_RATE = 100
# The texts the crisis detector is timed on, in this process.
DETECTOR_SAMPLE = 5000

# A validly signed request: (X-Twilio-Signature, form body).
Signed = tuple[str, str]


def sign(path: str, params: dict[str, str]) -> Signed:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + path, params)
    return signature, urlencode(params)


@dataclass(frozen=True)
class Requests:
    """What one run sends: wrk's load, the steady-rate requests, and calls to place first."""

    load: list[Signed]
    steady: list[Signed]
    placed: list[dict[str, str]] = field(default_factory=list)


def voice_requests(count: int, steady: int) -> Requests:
    """Each request a new call from a distinct caller; the steady run replays them backwards."""
    pairs = []
    for index in range(count):
        call = {
            "CallSid": "CA" + secrets.token_hex(16),
            "AccountSid": ACCOUNT_SID,
            "To": LINE,
            "From": f"+1415555{index % 10000:04d}",
            "Direction": "inbound",
        }
        pairs.append(ringing(call))
    return Requests(load=pairs, steady=pairs[::-1])


def texts(count: int) -> list[str]:
    """Return `count` texts drawn from the crisis detector's development set, always the same."""
    examples = [example.text for example in read_examples(MESSAGES)]
    rng = random.Random(988)
    return [rng.choice(examples) for _ in range(count)]


def signed_texts(bodies: list[str]) -> list[Signed]:
    """Sign one text per body: distinct MessageSids, ten texts per texter."""
    pairs = []
    for index, body in enumerate(bodies):
        text = {
            "MessageSid": "SM" + secrets.token_hex(16),
            "AccountSid": ACCOUNT_SID,
            "To": LINE,
            "From": f"+1415{2000000 + index // TEXTS_PER_TEXTER:07d}",
            "Body": body,
            "NumMedia": "0",
            "NumSegments": "1",
        }
        pairs.append(sign(INCOMING_TEXT, text))
    return pairs


def sms_requests(count: int, steady: int) -> Requests:
    return Requests(load=signed_texts(texts(count)), steady=signed_texts(texts(steady)))


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


def completions(placed: list[dict[str, str]]) -> list[Signed]:
    completed = {"CallStatus": "completed", "CallDuration": "42", "SequenceNumber": "3"}
    return [sign(CALL_STATUS, {**call, **completed}) for call in placed]


def status_requests(count: int, steady: int) -> Requests:
    """Completions for calls placed first: the load's and, separately, the steady run's."""
    loaded, steadied = calls(count, 0), calls(steady, count)
    return Requests(
        load=completions(loaded), steady=completions(steadied), placed=loaded + steadied
    )


def ringing(call: dict[str, str]) -> Signed:
    """Sign the incoming-call request that places `call` in line."""
    return sign(INCOMING_CALL, {**call, "CallStatus": "ringing"})


def detector_share(latencies: list[float]) -> str:
    """Say what detect() costs per text, in this process, against the steady mean latency."""
    sample = texts(DETECTOR_SAMPLE)
    detect("warm up")
    started = time.perf_counter()
    for body in sample:
        detect(body)
    detecting = (time.perf_counter() - started) / len(sample) * 1000
    mean = statistics.fmean(latencies)
    return (
        f"crisis detector: {detecting:.3f} ms per text, {detecting / mean:.1%} of the "
        f"{mean:.1f} ms mean at {STEADY_RATE} texts/s"
    )


@dataclass(frozen=True)
class Webhook:
    """One webhook under load: where it is, what it is sent, how its figures read."""

    path: str
    # What a request is called in the steady-rate lines ("texts/s").
    unit: str
    build: Callable[[int, int], Requests]
    target: str = ""
    # Figures beyond the table, from the steady run's latencies.
    more: Callable[[list[float]], str] | None = None
    # Whether its load is `--calls` callbacks for calls placed first, not LOAD_REQUESTS requests.
    places_calls: bool = False


WEBHOOKS = {
    "voice": Webhook(INCOMING_CALL, "requests", voice_requests, target=" (target < 50 ms)"),
    "sms": Webhook(INCOMING_TEXT, "texts", sms_requests, more=detector_share),
    "status": Webhook(CALL_STATUS, "callbacks", status_requests, places_calls=True),
}


def seed(settings) -> None:
    """One line, one specialist on shift: callers and texters are greeted and put in line."""
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


def post(base: str, path: str, pair: Signed) -> tuple[int, float]:
    """POST one signed request on a new connection; return its status and latency in ms."""
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


def place(base: str, placed: list[dict[str, str]]) -> None:
    """Ring the line once per call so each has an open, waiting contact."""
    pairs = [ringing(call) for call in placed]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = [status for status, _ in pool.map(lambda p: post(base, INCOMING_CALL, p), pairs)]
    if any(status != 200 for status in statuses):
        raise RuntimeError(f"incoming calls failed: {sorted(set(statuses))}")


def steady(base: str, path: str, pairs: list[Signed], *, seconds: int) -> list[float]:
    def send(index: int) -> float:
        status, elapsed = post(base, path, pairs[index % len(pairs)])
        if status != 200:
            raise RuntimeError(f"status {status}")
        return elapsed

    return steady_rate(send, rate=STEADY_RATE, seconds=seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("webhook", choices=sorted(WEBHOOKS))
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--calls", type=int, default=4000, help="status: calls placed before the load"
    )
    options = parser.parse_args()
    webhook = WEBHOOKS[options.webhook]
    url = webhook.path
    requests = webhook.build(
        options.calls if webhook.places_calls else LOAD_REQUESTS, STEADY_RATE * options.seconds
    )
    load = {"seconds": options.seconds, "connections": options.connections}
    with tempfile.TemporaryDirectory() as folder, bench_settings(options.database) as settings:
        bodies = Path(folder) / "bodies.tsv"
        bodies.write_text("".join(f"{s}\t{b}\n" for s, b in requests.load))
        seed(settings)
        create_tables(settings.database_url)
        results = {}
        for name, app in (("bare", f"bench.bare_app:create_app({url!r})"),
                          ("durable", f"bench.durable_app:create_app({url!r})"),
                          ("warmline", "warmline.app:create_app()")):  # fmt: skip
            with gunicorn(settings, app, free_port()) as base:
                if name == "warmline" and requests.placed:
                    # Placing the calls warms the app up; a wrk warm-up would spend the callbacks.
                    place(base, requests.placed)
                else:
                    wrk(base + url, bodies, seconds=2, connections=options.connections)
                results[name] = wrk(base + url, bodies, **load)
                if name == "warmline":
                    latencies = steady(base, url, requests.steady, seconds=options.seconds)
    closed = f", {options.calls} calls closed" if webhook.places_calls else ""
    print(f"database: {options.database}, {options.connections} connections, "
          f"{options.seconds} s each{closed}")  # fmt: skip
    print("| endpoint | requests/s | p50 ms | p99 ms | errors |")
    print("|---|---|---|---|---|")
    for name, result in results.items():
        print(f"| {name} | {result.requests_per_second:.0f} | {result.p50_ms:.1f} | "
              f"{result.p99_ms:.1f} | {result.errors} |")  # fmt: skip
    ours = results["warmline"].requests_per_second
    for yardstick in ("bare", "durable"):
        ratio = ours / results[yardstick].requests_per_second
        print(f"throughput ratio warmline/{yardstick}: {ratio:.2f}")
    rate = f"{STEADY_RATE} {webhook.unit}/s"
    print(f"steady {rate}: {describe(latencies)}")
    print(f"p99 at {rate}: {percentile(latencies, 0.99):.1f} ms{webhook.target}")
    if webhook.more is not None:
        print(webhook.more(latencies))


if __name__ == "__main__":
    main()
