"""The connections and ports a process's domain code is handed explicitly."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from config.settings import Settings
from warmline.gateway import Gateway
from warmline.jobs import Jobs
from warmline.lines import LineCache
from warmline.privacy import Sealer


@dataclass(frozen=True)
class Runtime:
    """Every connection a process needs, built once from its settings by the composition root."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    redis: redis.Redis
    jobs: Jobs
    gateway: Gateway
    sealer: Sealer
    # The lines by number, for the webhooks: kept a moment per process, fresh on every change.
    lines: LineCache

    def url(self, path: str) -> str:
        """Return the absolute URL Twilio calls for one of our webhook paths."""
        return self.settings.public_url + path
