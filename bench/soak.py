"""Soak: steady load through the simulator while the web and worker processes' memory is sampled.

    python -m bench.soak [--minutes 30] [--every 10] [--json PATH]

The busy day's line, people and driver (bench/busy_day.py) at a steady arrival rate for
`--minutes` of real time; the resident set size (RSS) of gunicorn's master and workers, each
`warmline worker` and the clock is sampled every `--every` seconds. The zero counts of the
busy day are checked at the end too. Any busy-day option may be given (`--speed`, ...).
"""

from __future__ import annotations

import logging

from bench.busy_day import parser, report, run, save


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    options = parser()
    options.description = __doc__.split("\n")[0]
    options.add_argument("--minutes", type=float, default=30.0)
    options.add_argument("--every", type=float, default=10.0)
    options.set_defaults(no_audit=True)
    settings = options.parse_args()
    settings.contacts = int(settings.minutes * 60 * settings.speed / settings.interval)
    # The simulated clock slows when the driver has many people to follow: bound real time.
    settings.max_real_seconds = settings.minutes * 60
    result = run(settings, rss_every=settings.every)
    result["minutes"] = settings.minutes
    report(result)
    save(result, settings.json)


if __name__ == "__main__":
    main()
