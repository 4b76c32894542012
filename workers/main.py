"""The worker process's composition root."""

from __future__ import annotations

from rq import Worker

from config.settings import Settings
from warmline.composition import build_runtime
from warmline.logs import configure_logging
from warmline.models import Base
from workers import context
from workers.queues import urgency_queues


def run_worker(settings: Settings, *, burst: bool = False) -> None:
    """Work the calls, texts and maintenance queues, most urgent first, with the scheduler."""
    configure_logging(settings)
    # Configure mappers once here, so each forked job starts with them ready.
    Base.registry.configure()
    with context.installed(build_runtime(settings)) as services:
        worker = Worker(
            list(urgency_queues(services.redis).values()),
            connection=services.redis,
            # Find jobs a killed worker left behind in a minute or two, not ten.
            maintenance_interval=settings.worker_maintenance_seconds,
        )
        worker.work(burst=burst, with_scheduler=True, logging_level=settings.log_level)
