"""`warmline run`: the whole line on one machine, stopped cleanly by Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from config.settings import Settings
from warmline import migrate
from warmline.embedded import ensure_embedded_redis, stop_embedded_redis

STARTUP_DEADLINE_SECONDS = 60
STOP_DEADLINE_SECONDS = 20


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    give_up = time.monotonic() + STOP_DEADLINE_SECONDS
    for process in processes:
        try:
            process.wait(timeout=max(0.1, give_up - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serve(settings: Settings) -> int:
    """Start Redis (embedded), migrate, run web and worker until a signal; return exit code."""
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    if settings.embedded_redis:
        ensure_embedded_redis(settings)
    migrate.upgrade(settings.database_url)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "python:config.gunicorn",
             "warmline.app:create_app()"]
        ),
        subprocess.Popen([sys.executable, "-m", "workers"]),
        subprocess.Popen([sys.executable, "-m", "warmline", "clock"]),
    ]  # fmt: skip
    exit_code = 0
    try:
        health = f"http://127.0.0.1:{settings.port}/healthz"
        give_up = time.monotonic() + STARTUP_DEADLINE_SECONDS
        while not _healthy(health):
            if stopping.wait(0.2):
                return 0
            if any(p.poll() is not None for p in processes) or time.monotonic() > give_up:
                print("warmline: the line did not start; see the messages above.", file=sys.stderr)
                return 1
        print(
            f"\nwarmline is running at {settings.public_url}/\n"
            f"  health: {health}\n"
            f"  Twilio webhooks: {settings.public_url}/webhooks/voice/incoming and "
            f"{settings.public_url}/webhooks/sms/incoming\n"
            "Press Ctrl-C to stop.\n",
            flush=True,
        )
        while not stopping.wait(0.5):
            if any(p.poll() is not None for p in processes):
                print("warmline: a process stopped unexpectedly; stopping.", file=sys.stderr)
                exit_code = 1
                break
        return exit_code
    finally:
        _stop(processes)
        if settings.embedded_redis:
            stop_embedded_redis(settings)
        print("warmline stopped.", flush=True)
