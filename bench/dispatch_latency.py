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

from bench.harness import ROOT, bench_settings, describe, environment, percentile
from tests.fake_twilio import fake_twilio
from tests.services import wait_for
from warmline.lines import add_line
from warmline.live import LiveLine, now_ms
from warmline.people import add_user
from warmline.runtime import build_runtime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=1000)
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
            [sys.executable, "-m", "workers"], cwd=ROOT, env=environment(settings),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        latencies = []
        try:
            for index in range(options.contacts):
                contact_id = 100_000 + index
                live.go_available(specialist_id, ["en"], ready_ms=now_ms() - 1)
                started = time.monotonic()
                live.enqueue(contact_id, language="en", tier=0, arrived_ms=now_ms())
                services.dispatch.offer_contacts(line_id)
                wait_for(
                    lambda count=index + 1: len(twilio_api.requests) >= count,
                    timeout=30,
                    what="the worker to ring the specialist",
                )
                latencies.append((twilio_api.requests[index].received_at - started) * 1000)
                live.resolve(contact_id, specialist_id, "release")
                live.remove(contact_id)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            services.engine.dispose()
    print(f"dispatch latency over {len(latencies)} contacts: {describe(latencies)}")
    print(f"p99: {percentile(latencies, 0.99):.1f} ms (target < 300 ms)")


if __name__ == "__main__":
    main()
