"""Soak: steady load through the simulator while every process's memory is sampled.

    python -m bench.soak [--minutes 30] [--every 10] [--warm-up SECONDS] [--json PATH]

The busy day's line, people and driver (bench/busy_day.py) at a steady arrival rate for
`--minutes` of real time; the resident set size (RSS) of gunicorn's master and each of its
workers, each `warmline worker`, the clock, Redis and the PostgreSQL backends of the day's
database is sampled every `--every` seconds. The zero counts of the busy day are checked at
the end too. Any busy-day option may be given (`--speed`, ...).

Memory is compared after a warm-up, by default a sixth of the run and at least a minute (5
minutes of a 30-minute soak). A Python process grows on first use of each thing it serves and
then stops: the modules imported lazily (the crisis model on the first text, the translations
on the first page), SQLAlchemy's cache of compiled statements (one per distinct query), the
line cache, gevent's greenlets for the peak of concurrent requests, and the C allocator's
arenas for the largest working set the load reaches. All are bounded, and all are reached once
every kind of contact (call, text, crisis, call back, hang-up) has come through a few times at
the steady rate, which the busy day's mix does within its first minute. Redis grows with what
the line keeps (waiting contacts, the event streams, capped) and PostgreSQL's backends as they
touch shared buffers, both bounded too. Flat means: the median RSS over the last `--window`
seconds of arrivals is within 5 % of the median over the `--window` seconds right after the
warm-up, for every process that was up throughout.
"""

from __future__ import annotations

import logging
import statistics

from bench.busy_day import parser, report, run, save

FLAT_WITHIN = 0.05


def flatness(samples: list[dict], *, start: float, end: float, window: float) -> dict:
    """Every process's median RSS in [start, start + window] and [end - window, end]."""
    names = sorted({name for row in samples for name in row["processes"]})
    rows = {}
    for name in names:
        first = _rss(samples, name, start, start + window)
        last = _rss(samples, name, end - window, end)
        if not first or not last:
            rows[name] = {"up_throughout": False}
            continue
        before, after = statistics.median(first), statistics.median(last)
        change = after / before - 1
        rows[name] = {
            "up_throughout": True,
            "rss_start_mib": before / 2**20,
            "rss_end_mib": after / 2**20,
            "change": change,
            "flat": abs(change) <= FLAT_WITHIN,
        }
    compared = [row for row in rows.values() if row["up_throughout"]]
    return {
        "start_seconds": start,
        "end_seconds": end,
        "window_seconds": window,
        "flat_within": FLAT_WITHIN,
        "all_flat": bool(compared) and all(row["flat"] for row in compared),
        "processes": rows,
    }


def _rss(samples: list[dict], name: str, since: float, until: float) -> list[int]:
    return [
        row["processes"][name]["rss"]
        for row in samples
        if since <= row["t"] <= until and name in row["processes"]
    ]


def print_memory(memory: dict) -> None:
    print(
        f"memory after {memory['start_seconds']:.0f} s of warm-up vs the last "
        f"{memory['window_seconds']:.0f} s of arrivals (medians, MiB):"
    )
    for name, row in memory["processes"].items():
        if not row["up_throughout"]:
            print(f"  {name}: not up throughout (replaced or short-lived)")
            continue
        print(
            f"  {name}: {row['rss_start_mib']:.1f} -> {row['rss_end_mib']:.1f} "
            f"({row['change']:+.1%}){'' if row['flat'] else '  NOT FLAT'}"
        )
    print(f"all flat within {memory['flat_within']:.0%}: {memory['all_flat']}")


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    options = parser()
    options.description = __doc__.split("\n")[0]
    options.add_argument("--minutes", type=float, default=30.0)
    options.add_argument("--every", type=float, default=10.0)
    options.add_argument("--warm-up", type=float, help="seconds (default: a sixth, >= 60)")
    options.add_argument("--window", type=float, help="seconds (default: a fifteenth, >= 30)")
    options.set_defaults(no_audit=True)
    settings = options.parse_args()
    seconds = settings.minutes * 60
    settings.contacts = int(seconds * settings.speed / settings.interval)
    # The simulated clock slows when the driver has many people to follow: bound real time.
    settings.max_real_seconds = seconds
    result = run(settings, rss_every=settings.every)
    result["minutes"] = settings.minutes
    warm_up = settings.warm_up if settings.warm_up is not None else max(60.0, seconds / 6)
    window = settings.window if settings.window is not None else max(30.0, seconds / 15)
    result["memory"] = flatness(
        result["rss"], start=warm_up, end=result["arrivals_real_seconds"], window=window
    )
    report(result)
    print_memory(result["memory"])
    save(result, settings.json)


if __name__ == "__main__":
    main()
