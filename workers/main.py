"""The worker process's composition root."""

from __future__ import annotations

from rq import Worker

from config.settings import Settings
from warmline.logs import configure_logging
from warmline.models import Base
from warmline.runtime import QUEUE_NAMES, build_runtime
from workers import context

MAINTENANCE_SECONDS = 30


def run_worker(settings: Settings, *, burst: bool = False) -> None:
    """Work the calls, texts and maintenance queues, most urgent first, with the scheduler."""
    configure_logging(settings)
    # Configure mappers once here, so each forked job starts with them ready.
    Base.registry.configure()
    services = build_runtime(settings)
    context.install(services)
    worker = Worker(
        [services.queues[name] for name in QUEUE_NAMES],
        connection=services.redis,
        # Find jobs a killed worker left behind in a minute or two, not ten.
        maintenance_interval=MAINTENANCE_SECONDS,
    )
    worker.work(burst=burst, with_scheduler=True, logging_level=settings.log_level)
