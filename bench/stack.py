"""The end-to-end stack (tests/e2e/stack.py) for the day-long benchmarks, on a cuttable database.

The database is a fresh PostgreSQL database reached through a loopback proxy, so a fault can
make it unreachable while the privacy audit still reads it directly.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench.tcp_proxy import CuttableProxy
from tests.e2e.stack import RedisServer, Stack, running_stack
from tests.services import fresh_database, postgres_server

ACCOUNT_SID = "AC" + "d" * 32
AUTH_TOKEN = "bench-day-auth-token-0123456789ab"


@dataclass(frozen=True)
class DayStack:
    """The running line, and its database both behind the proxy and direct."""

    line: Stack
    database: CuttableProxy
    database_direct_url: str


@contextmanager
def day_stack(
    *, workers: int = 2, web_concurrency: int = 2, timers: Mapping[str, int] | None = None
) -> Iterator[DayStack]:
    """Start web, workers and clock against the simulator; stop them all afterwards.

    Redis runs with its append-only file, as the README says to run it in production.
    `timers` overrides the app's process-level timers (config/settings.py, TIMERS).
    """
    with ExitStack() as stack:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="warmline-day-")))
        redis_server = RedisServer(directory, appendonly=True)
        redis_server.start()
        stack.callback(redis_server.stop)
        admin = stack.enter_context(postgres_server())
        direct_url = stack.enter_context(fresh_database(admin, "warmline_day"))
        parts = urlsplit(direct_url)
        proxy = CuttableProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
        stack.callback(proxy.close)
        line = stack.enter_context(
            running_stack(
                directory,
                database_url=direct_url.replace(f":{parts.port}/", f":{proxy.port}/"),
                redis_server=redis_server,
                account_sid=ACCOUNT_SID,
                auth_token=AUTH_TOKEN,
                workers=workers,
                web_concurrency=web_concurrency,
                timers=timers,
            )
        )
        yield DayStack(line, proxy, direct_url)
