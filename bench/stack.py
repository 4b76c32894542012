"""The whole line as production runs it, against the Twilio simulator, for the day-long benchmarks.

Reuses the end-to-end suite's pieces (tests/e2e/conftest.py): gunicorn as the Procfile's
`web`, `warmline worker` processes, a `warmline clock`, the simulator on a manual clock served
from this process, and a private Redis that can be stopped and started. The database is a
fresh PostgreSQL database reached through a loopback proxy, so it can be made unreachable.
"""

from __future__ import annotations

import secrets
import shlex
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from bench.tcp_proxy import CuttableProxy
from config.settings import Settings
from tests.e2e.conftest import (
    PROCFILE,
    STARTUP_SECONDS,
    Processes,
    RedisServer,
    _free_port,
    _health,
    _Server,
)
from tests.processes import ROOT, environment
from tests.services import postgres_server, wait_for
from warmline.composition import build_runtime
from warmline.runtime import Runtime
from warmline.simulator import ManualClock, Simulator, create_simulator, simulator_of

ACCOUNT_SID = "AC" + "d" * 32
AUTH_TOKEN = "bench-day-auth-token-0123456789ab"


@dataclass
class DayStack:
    settings: Settings
    services: Runtime
    sim: Simulator
    clock: ManualClock
    processes: Processes
    redis: RedisServer
    database: CuttableProxy
    database_direct_url: str
    directory: Path
    workers: int

    def ready(self) -> bool:
        status, body = _health(self.settings.public_url)
        return status == 200 and body.get("workers", 0) >= self.workers

    def wait_until_ready(self, timeout: float = STARTUP_SECONDS) -> None:
        wait_for(self.ready, timeout=timeout, what="gunicorn, workers and clock to be ready")

    def worker_pids(self) -> dict[str, int]:
        return {
            name: process.pid
            for name, process in self.processes.running.items()
            if name.startswith("worker-") and process.poll() is None
        }


@contextmanager
def day_stack(*, workers: int = 2, web_concurrency: int = 2) -> Iterator[DayStack]:
    """Start web, workers and clock against the simulator; stop them all afterwards."""
    with ExitStack() as stack:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="warmline-day-")))
        redis_server = RedisServer(directory)
        redis_server.start()
        stack.callback(redis_server.stop)
        admin = stack.enter_context(postgres_server())
        name = f"warmline_day_{secrets.token_hex(4)}"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        stack.callback(_drop, admin, name)
        direct_url = admin.rsplit("/", 1)[0] + f"/{name}"
        parts = urlsplit(direct_url)
        proxy = CuttableProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
        stack.callback(proxy.close)
        database_url = direct_url.replace(f":{parts.port}/", f":{proxy.port}/")

        port = _free_port()
        public_url = f"http://127.0.0.1:{port}"
        clock = ManualClock()
        simulator_app = create_simulator(
            webhook_base_url=public_url, account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN,
            clock=clock,
        )  # fmt: skip
        sim = simulator_of(simulator_app)
        server = _Server(simulator_app)
        stack.callback(sim.close)
        stack.callback(server.close)
        settings = Settings(
            database_url=database_url,
            redis_url=redis_server.url,
            public_url=public_url,
            secret_key=secrets.token_urlsafe(32),
            caller_key=secrets.token_urlsafe(32),
            twilio_account_sid=ACCOUNT_SID,
            twilio_auth_token=AUTH_TOKEN,
            twilio_api_base_url=server.url,
            instance_path=directory / "instance",
            port=port,
            web_concurrency=web_concurrency,
        )
        env = environment(
            WARMLINE_DATABASE_URL=settings.database_url,
            WARMLINE_REDIS_URL=settings.redis_url,
            WARMLINE_PUBLIC_URL=settings.public_url,
            WARMLINE_SECRET_KEY=settings.secret_key,
            WARMLINE_CALLER_KEY=settings.caller_key,
            WARMLINE_INSTANCE_PATH=str(settings.instance_path),
            TWILIO_ACCOUNT_SID=settings.twilio_account_sid,
            TWILIO_AUTH_TOKEN=settings.twilio_auth_token,
            TWILIO_API_BASE_URL=settings.twilio_api_base_url,
            PORT=str(port),
            WEB_CONCURRENCY=str(web_concurrency),
        )
        logs = directory / "logs"
        logs.mkdir()
        processes = Processes(logs, env)
        stack.callback(processes.stop)
        services = build_runtime(settings)
        stack.callback(services.redis.close)
        stack.callback(services.engine.dispose)
        release = subprocess.run(
            shlex.split(PROCFILE["release"]), cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=STARTUP_SECONDS,
        )  # fmt: skip
        if release.returncode != 0:
            raise RuntimeError(release.stderr)
        processes.start("web", shlex.split(PROCFILE["web"]))
        for _ in range(workers):
            processes.start_worker()
        processes.start("clock", shlex.split(PROCFILE["clock"]))
        day = DayStack(
            settings, services, sim, clock, processes, redis_server, proxy, direct_url,
            directory, workers,
        )  # fmt: skip
        day.wait_until_ready()
        yield day


def _drop(admin: str, name: str) -> None:
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
