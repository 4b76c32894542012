"""`warmline run`: the whole line on one machine, stopped cleanly by Ctrl-C.

The children run in sessions of their own, so a terminal's Ctrl-C reaches only this process,
which stops them in order (no child dies of a KeyboardInterrupt mid-job). Their output goes to
`run.log` in the instance folder, so the banner stays readable.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from config.settings import Settings
from warmline import demo, migrate
from warmline.composition import build_runtime
from warmline.embedded import ensure_embedded_redis, stop_embedded_redis

STARTUP_DEADLINE_SECONDS = 60
STOP_DEADLINE_SECONDS = 4
# Gunicorn waits this long for requests in flight; a dashboard's event stream never ends by
# itself, so a longer wait only delays Ctrl-C. Production keeps config/gunicorn.py's 20 s.
GRACEFUL_SECONDS = 2
# How much of the log a failed start prints.
LOG_TAIL_LINES = 40


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
        # Whatever a child left in its session (a gunicorn worker, an RQ work horse) goes too,
        # so no orphan keeps the port for the next `make run`.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def _tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:])


def _seed_demo(settings: Settings) -> demo.Demo:
    services = build_runtime(settings)
    try:
        with services.sessions() as session:
            seeded = demo.seed(session)
            demo.start_shifts(session, services.redis, services.jobs)
        return seeded
    finally:
        services.engine.dispose()


def _banner(
    settings: Settings, simulator_url: str | None, seeded: demo.Demo | None, log: Path
) -> str:
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
    lines += [f"  log of every process: {log}", "Press Ctrl-C to stop.", ""]
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
         "--graceful-timeout", str(GRACEFUL_SECONDS), "warmline.app:create_app()"],
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
             "--port", str(port), "--line", seeded.line_number,
             *(f"--phone={phone}={name}" for name, _email, phone in seeded.sign_ins if phone)]
        )  # fmt: skip
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    log = settings.instance_path / "run.log"
    with open(log, "ab") as sink:
        processes = [
            subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT,
                             start_new_session=True)
            for command in commands
        ]  # fmt: skip
    try:
        give_up = time.monotonic() + STARTUP_DEADLINE_SECONDS
        while not all(ready() for ready in readiness):
            if stopping.wait(0.2):
                return 0
            if any(p.poll() is not None for p in processes) or time.monotonic() > give_up:
                print(f"warmline: the line did not start. The end of {log}:", file=sys.stderr)
                print(_tail(log), file=sys.stderr)
                return 1
        print(_banner(settings, simulator_url, seeded, log), flush=True)
        while not stopping.wait(0.5):
            if any(p.poll() is not None for p in processes):
                print(
                    f"warmline: a process stopped unexpectedly. The end of {log}:", file=sys.stderr
                )
                print(_tail(log), file=sys.stderr)
                return 1
        return 0
    finally:
        _stop(processes)
        if settings.embedded_redis:
            stop_embedded_redis(settings)
        print("warmline stopped.", flush=True)
