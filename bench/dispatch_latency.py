"""Benchmark dispatch: a caller joins the line → the REST request that rings a specialist.

    python -m bench.dispatch_latency [--contacts 1000]

A real `warmline worker` process (idle, waiting on Redis) serves the calls queue; a
Twilio-shaped API in this process timestamps each request it receives.
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from bench.harness import ROOT, bench_settings, describe, percentile, write_results
from tests.fake_twilio import fake_twilio
from tests.processes import settings_environment
from tests.services import wait_for
from warmline.composition import build_runtime
from warmline.lines import add_line
from warmline.live import LiveLine, now_ms
from warmline.people import add_user


def _ring(twilio_api, contact_id: int):
    """Return the recorded REST request ringing the specialist for `contact_id`, if any."""
    marker = f"contact={contact_id}&"
    for recorded in reversed(twilio_api.requests):
        if recorded.path.endswith("/Calls.json") and marker in recorded.form.get("Url", [""])[0]:
            return recorded
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=1000)
    parser.add_argument("--json", type=Path, help="write every latency (ms) here")
    options = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with fake_twilio() as twilio_api, bench_settings("postgresql") as base_settings:
        settings = replace(base_settings, twilio_api_base_url=twilio_api.base_url)
        services = build_runtime(settings)
        with services.sessions() as session:
            line = add_line(session, name="Bench Line", twilio_number="+15017122661")
            specialist = add_user(
                session, email="bench@example.org", display_name="Bench",
                password="bench password 123", phone="+14155550100",
            )  # fmt: skip
            session.commit()
            line_id, specialist_id = line.id, specialist.id
        live = LiveLine(services.redis, line_id)
        worker = subprocess.Popen(
            [sys.executable, "-m", "workers"], cwd=ROOT, env=settings_environment(settings),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        latencies = []
        try:
            for index in range(options.contacts):
                contact_id = 100_000 + index
                live.go_available(specialist_id, ["en"], ready_ms=now_ms() - 1)
                started = time.monotonic()
                live.enqueue(contact_id, language="en", tier=0, arrived_ms=now_ms())
                services.jobs.offer_contacts(line_id)
                # Match the request by the contact its whisper URL names: a settled offer's
                # clean-up (hanging up a leg) is a REST request too.
                wait_for(
                    lambda contact=contact_id: _ring(twilio_api, contact) is not None,
                    timeout=30,
                    what="the worker to ring the specialist",
                )
                latencies.append((_ring(twilio_api, contact_id).received_at - started) * 1000)
                # The worker records the ringing leg after Twilio answers; settling the offer
                # before that leaves a stray offer hash behind (see docs/benchmarks.md).
                wait_for(
                    lambda contact=contact_id: live.offer_legs(contact),
                    timeout=30,
                    what="the worker to record the ringing leg",
                )
                live.resolve(contact_id, specialist_id, "release")
                live.remove(contact_id)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            services.engine.dispose()
    print(f"dispatch latency over {len(latencies)} contacts: {describe(latencies)}")
    print(f"p99: {percentile(latencies, 0.99):.1f} ms (target < 300 ms)")
    if options.json:
        write_results(options.json, {"latencies_ms": latencies})


if __name__ == "__main__":
    main()
