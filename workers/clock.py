"""The clock process: enqueue the maintenance jobs on their schedule."""

from __future__ import annotations

from rq.cron import CronScheduler

from config.settings import Settings
from warmline.composition import build_runtime
from warmline.logs import configure_logging
from workers import jobs, text_jobs

# Often enough that an offer whose worker died is back in line within its lease plus 10 s.
REPAIR_EVERY_SECONDS = 5
TEXT_SWEEP_EVERY_SECONDS = 60
# A small part of the presence grace (WARMLINE_PRESENCE_GRACE_SECONDS, minutes by default).
PRESENCE_SWEEP_EVERY_SECONDS = 10
# Someone with crisis signs waiting a minute is told to the coordinators within 15 s more.
CRISIS_WAIT_SWEEP_EVERY_SECONDS = 15
PURGE_CRON = "17 3 * * *"
ROSTER_CRON = "7 2 * * *"


def run_clock(settings: Settings) -> None:
    """Run RQ's cron scheduler; several clocks on several hosts only repeat idempotent work."""
    configure_logging(settings)
    services = build_runtime(settings)
    scheduler = CronScheduler(connection=services.redis, logging_level=settings.log_level)
    scheduler.register(
        jobs.repair_live_state, "maintenance", interval=REPAIR_EVERY_SECONDS, result_ttl=0
    )
    scheduler.register(
        text_jobs.sweep_text_conversations,
        "maintenance",
        interval=TEXT_SWEEP_EVERY_SECONDS,
        result_ttl=0,
    )
    scheduler.register(
        jobs.end_absent_shifts,
        "maintenance",
        interval=PRESENCE_SWEEP_EVERY_SECONDS,
        result_ttl=0,
    )
    scheduler.register(
        jobs.warn_of_crisis_waiting,
        "maintenance",
        interval=CRISIS_WAIT_SWEEP_EVERY_SECONDS,
        result_ttl=0,
    )
    scheduler.register(jobs.purge_expired_contacts, "maintenance", cron=PURGE_CRON)
    scheduler.register(jobs.extend_rosters, "maintenance", cron=ROSTER_CRON)
    scheduler.start()
