"""Measure one webhook's cost in-process, then profile it with pyinstrument.

    python -m bench.profile_webhook [--path voice|sms|status] [--app warmline|durable]
                                    [--requests 2000]

Needs pyinstrument (`.venv/bin/pip install pyinstrument`; not a dependency). The app is built
on PostgreSQL and a private Redis, seeded as bench/webhook_load.py does, and driven through
Flask's test client, so the figures are the application's own cost per request, without
gunicorn and the network. After 200 requests to warm up, `--requests` are timed with no
profiler running (the mean wall and CPU time per request: the figure to compare), then as
many again under pyinstrument, whose call tree is printed. `--app durable` measures the
durable yardstick (bench/durable_app.py) the same way.
"""

from __future__ import annotations

import argparse
import time

from pyinstrument import Profiler

from bench import durable_app
from bench.harness import bench_settings
from bench.webhook_load import INCOMING_CALL, WEBHOOKS, ringing, seed
from warmline.app import create_app

WARM_UP = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--path", choices=sorted(WEBHOOKS), default="voice")
    parser.add_argument("--app", choices=["warmline", "durable"], default="warmline")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    options = parser.parse_args()
    webhook = WEBHOOKS[options.path]
    route = webhook.path
    count = options.requests
    requests = webhook.build(WARM_UP + 2 * count, 0)
    pairs = requests.load
    with bench_settings(options.database) as settings:
        seed(settings)
        durable_app.create_tables(settings.database_url)
        app = create_app(settings)
        client = app.test_client()
        measured = durable_app.create_app(route, settings) if options.app == "durable" else app
        measured_client = measured.test_client()

        def post(pair: tuple[str, str], path: str = route, through=measured_client) -> None:
            response = through.post(
                path,
                data=pair[1],
                headers={"X-Twilio-Signature": pair[0]},
                content_type="application/x-www-form-urlencoded",
                base_url=settings.public_url,
            )
            assert response.status_code == 200, response.status_code

        for call in requests.placed:
            post(ringing(call), INCOMING_CALL, client)
        for pair in pairs[:WARM_UP]:  # imports, pools, caches
            post(pair)
        wall, cpu = time.perf_counter(), time.process_time()
        for pair in pairs[WARM_UP : WARM_UP + count]:
            post(pair)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for pair in pairs[WARM_UP + count :]:
            post(pair)
        profiler.stop()
        for built in {app, measured}:
            built.extensions["warmline"].engine.dispose()
    print(
        f"{route} ({options.app}): {count} requests in-process, mean "
        f"{wall / count * 1000:.2f} ms wall, {cpu / count * 1000:.2f} ms CPU per request "
        f"(this process only, no profiler; PostgreSQL and Redis work on their own CPU)"
    )
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
