"""Profile one webhook in-process with pyinstrument: where a request's time goes.

    python -m bench.profile_webhook [--path voice|sms|status] [--requests 2000]

Needs pyinstrument (`.venv/bin/pip install pyinstrument`; not a dependency). The app is built
by `create_app` on PostgreSQL and a private Redis, seeded as bench/webhook_load.py does, and
driven through Flask's test client, so the profile shows the application's own cost per
request, without gunicorn and the network. Prints the mean wall and CPU time per request and
pyinstrument's call tree.
"""

from __future__ import annotations

import argparse
import time

from pyinstrument import Profiler

from bench.harness import bench_settings
from bench.webhook_load import INCOMING_CALL, WEBHOOKS, ringing, seed
from warmline.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--path", choices=sorted(WEBHOOKS), default="voice")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    options = parser.parse_args()
    webhook = WEBHOOKS[options.path]
    route = webhook.path
    requests = webhook.build(options.requests + 200, 0)
    pairs = requests.load
    with bench_settings(options.database) as settings:
        seed(settings)
        app = create_app(settings)
        client = app.test_client()

        def post(path: str, pair: tuple[str, str]) -> None:
            response = client.post(
                path,
                data=pair[1],
                headers={"X-Twilio-Signature": pair[0]},
                content_type="application/x-www-form-urlencoded",
                base_url=settings.public_url,
            )
            assert response.status_code == 200, response.status_code

        for call in requests.placed:
            post(INCOMING_CALL, ringing(call))
        for pair in pairs[:200]:  # warm up: imports, pools, caches
            post(route, pair)
        profiler = Profiler(interval=0.0005)
        wall, cpu = time.perf_counter(), time.process_time()
        profiler.start()
        for pair in pairs[200:]:
            post(route, pair)
        profiler.stop()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        app.extensions["warmline"].engine.dispose()
    count = len(pairs) - 200
    print(f"{route}: {count} requests in-process, mean {wall / count * 1000:.2f} ms wall, "
          f"{cpu / count * 1000:.2f} ms CPU per request (this process only; PostgreSQL and "
          f"Redis work on their own CPU)")  # fmt: skip
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
