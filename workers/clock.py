"""The clock process: enqueue the maintenance jobs on their schedule."""

from __future__ import annotations

from rq.cron import CronScheduler

from config.settings import Settings
from warmline.composition import build_runtime
from warmline.logs import configure_logging
from workers import jobs, text_jobs

PURGE_CRON = "17 3 * * *"
ROSTER_CRON = "7 2 * * *"


def run_clock(settings: Settings) -> None:
    """Run RQ's cron scheduler; several clocks on several hosts only repeat idempotent work.

    The sweeps' intervals are settings (config/settings.py, TIMERS): the repair every 5 s by
    default, often enough that an offer whose worker died is back in line within its lease
    plus 10 s; the presence sweep every 10 s, a small part of the presence grace; the crisis
    wait sweep every 15 s, so someone with crisis signs waiting a minute is told to the
    coordinators within 15 s more.
    """
    configure_logging(settings)
    services = build_runtime(settings)
    scheduler = CronScheduler(connection=services.redis, logging_level=settings.log_level)
    scheduler.register(
        jobs.repair_live_state,
        "maintenance",
        interval=settings.repair_every_seconds,
        result_ttl=0,
    )
    scheduler.register(
        text_jobs.sweep_text_conversations,
        "maintenance",
        interval=settings.text_sweep_every_seconds,
        result_ttl=0,
    )
    scheduler.register(
        jobs.end_absent_shifts,
        "maintenance",
        interval=settings.presence_sweep_every_seconds,
        result_ttl=0,
    )
    scheduler.register(
        jobs.warn_of_crisis_waiting,
        "maintenance",
        interval=settings.crisis_wait_sweep_every_seconds,
        result_ttl=0,
    )
    scheduler.register(jobs.purge_expired_contacts, "maintenance", cron=PURGE_CRON)
    scheduler.register(jobs.extend_rosters, "maintenance", cron=ROSTER_CRON)
    scheduler.start()
