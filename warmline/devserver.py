"""`warmline run`: the whole line on one machine, stopped cleanly by Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from config.settings import Settings
from warmline import demo, migrate
from warmline.composition import build_runtime
from warmline.embedded import ensure_embedded_redis, stop_embedded_redis

STARTUP_DEADLINE_SECONDS = 60
STOP_DEADLINE_SECONDS = 20


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _serving_with_a_worker(health_url: str) -> bool:
    try:
        with urllib.request.urlopen(health_url, timeout=2) as response:
            return json.load(response).get("workers", 0) >= 1
    except (urllib.error.URLError, OSError, ValueError):
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


def _seed_demo(settings: Settings) -> demo.Demo:
    services = build_runtime(settings)
    try:
        with services.sessions() as session:
            seeded = demo.seed(session)
            demo.start_shifts(session, services.redis, services.jobs)
        return seeded
    finally:
        services.engine.dispose()


def _banner(settings: Settings, simulator_url: str | None, seeded: demo.Demo | None) -> str:
    lines = [
        "",
        f"warmline is running at {settings.public_url}/",
        f"  specialists' dashboard: {settings.public_url}/sign-in",
        f"  coordinators' console: {settings.public_url}/console/",
        f"  health: {settings.public_url}/healthz",
        f"  Twilio webhooks: {settings.public_url}/webhooks/voice/incoming and "
        f"{settings.public_url}/webhooks/sms/incoming",
    ]
    if simulator_url and seeded:
        lines += [
            f"  phones: {simulator_url}/simulator/ — dial the demo line {seeded.line_number},",
            "          then answer a specialist's ringing phone and press 1",
            f"  demo sign-ins (password {seeded.password!r}):",
            *(f"    {name}: {email} {phone}".rstrip() for name, email, phone in seeded.sign_ins),
        ]
    lines += ["Press Ctrl-C to stop.", ""]
    return "\n".join(lines)


def serve(settings: Settings) -> int:
    """Start Redis (embedded), migrate, run web, worker, clock (and simulator); return code."""
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    if settings.embedded_redis:
        ensure_embedded_redis(settings)
    migrate.upgrade(settings.database_url)
    # Children inherit this environment; with the simulator, they are pointed at it.
    env = dict(os.environ)
    health_url = f"http://127.0.0.1:{settings.port}/healthz"
    readiness = [lambda: _serving_with_a_worker(health_url)]
    simulator_url = seeded = None
    commands = [
        [sys.executable, "-m", "gunicorn", "--config", "python:config.gunicorn",
         "warmline.app:create_app()"],
        [sys.executable, "-m", "workers"],
        [sys.executable, "-m", "warmline", "clock"],
    ]  # fmt: skip
    if settings.runs_simulator:
        seeded = _seed_demo(settings)
        port = settings.port + 1
        simulator_url = f"http://127.0.0.1:{port}"
        env["TWILIO_API_BASE_URL"] = simulator_url
        readiness.append(lambda: _answers(f"{simulator_url}/simulator/"))
        commands.append(
            [sys.executable, "-m", "warmline.simulator", "--webhook-url", settings.public_url,
             "--port", str(port), "--line", seeded.line_number]
        )  # fmt: skip
    processes = [subprocess.Popen(command, env=env) for command in commands]
    try:
        give_up = time.monotonic() + STARTUP_DEADLINE_SECONDS
        while not all(ready() for ready in readiness):
            if stopping.wait(0.2):
                return 0
            if any(p.poll() is not None for p in processes) or time.monotonic() > give_up:
                print("warmline: the line did not start; see the messages above.", file=sys.stderr)
                return 1
        print(_banner(settings, simulator_url, seeded), flush=True)
        while not stopping.wait(0.5):
            if any(p.poll() is not None for p in processes):
                print("warmline: a process stopped unexpectedly; stopping.", file=sys.stderr)
                return 1
        return 0
    finally:
        _stop(processes)
        if settings.embedded_redis:
            stop_embedded_redis(settings)
        print("warmline stopped.", flush=True)
