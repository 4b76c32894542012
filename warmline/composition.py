"""The runtime builder shared by web, worker and clock processes: ports bound to adapters."""

from __future__ import annotations

from config.settings import Settings
from warmline.crisis.scripts import checked_wording
from warmline.db import create_db_engine, session_factory
from warmline.embedded import ensure_embedded_redis
from warmline.lines import LineCache
from warmline.privacy import Sealer
from warmline.redis_client import redis_client
from warmline.runtime import Runtime
from warmline.telephony import TwilioGateway
from workers.queues import RqJobs


def build_runtime(settings: Settings) -> Runtime:
    """Build engine, Redis (one server, or Sentinel's primary), the RQ jobs and the Twilio
    gateway; connections open lazily.

    The words callers hear are loaded and checked first: the safety net speaks them too.
    """
    checked_wording()
    if settings.embedded_redis:
        ensure_embedded_redis(settings)
    engine = create_db_engine(settings.database_url)
    client = redis_client(
        settings.redis_url,
        socket_timeout=2,
        socket_connect_timeout=2,
        health_check_interval=30,
    )
    sessions = session_factory(engine)
    lines = LineCache(client)
    lines.watch(sessions)
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        redis=client,
        jobs=RqJobs(client),
        gateway=TwilioGateway(settings),
        sealer=Sealer([settings.secret_key]),
        lines=lines,
    )
