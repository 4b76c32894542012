"""The composition root shared by web and worker processes."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from rq import Queue
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from config.settings import Settings
from warmline.db import create_db_engine, session_factory
from warmline.dispatch import Dispatcher
from warmline.embedded import ensure_embedded_redis
from warmline.privacy import Sealer
from warmline.telephony import TwilioGateway

# Most urgent first: a worker always drains calls before texts before housekeeping.
QUEUE_NAMES = ("calls", "texts", "maintenance")


@dataclass(frozen=True)
class Runtime:
    """Every connection a process needs, built once from its settings."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    redis: redis.Redis
    queues: dict[str, Queue]
    dispatch: Dispatcher
    gateway: TwilioGateway
    sealer: Sealer


def build_runtime(settings: Settings) -> Runtime:
    """Build engine, Redis, queues and the Twilio gateway; connections open lazily."""
    if settings.embedded_redis:
        ensure_embedded_redis(settings)
    engine = create_db_engine(settings.database_url)
    client = redis.Redis.from_url(
        settings.redis_url,
        socket_timeout=2,
        socket_connect_timeout=2,
        health_check_interval=30,
    )
    queues = {name: Queue(name, connection=client) for name in QUEUE_NAMES}
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=session_factory(engine),
        redis=client,
        queues=queues,
        dispatch=Dispatcher(queues),
        gateway=TwilioGateway(settings),
        sealer=Sealer([settings.secret_key]),
    )
