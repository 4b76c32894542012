"""Shared benchmark plumbing: services, a seeded line, gunicorn, wrk and percentiles."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from config.settings import Settings
from tests.processes import settings_environment
from tests.services import fresh_database, postgres_server, throwaway_redis, wait_for
from warmline import migrate

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_URL = "https://bench.warmline.test"
AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
ACCOUNT_SID = "AC" + "b" * 32


@contextmanager
def bench_settings(database: str) -> Iterator[Settings]:
    """Yield settings on a fresh database (PostgreSQL or SQLite) and a private Redis."""
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="warmline-bench-")))
        redis_url = stack.enter_context(throwaway_redis(folder))
        if database == "postgresql":
            admin = stack.enter_context(postgres_server())
            database_url = stack.enter_context(fresh_database(admin, "warmline_bench"))
        else:
            database_url = f"sqlite:///{folder / 'bench.db'}"
        migrate.upgrade(database_url)
        yield Settings(
            database_url=database_url,
            redis_url=redis_url,
            public_url=PUBLIC_URL,
            secret_key=secrets.token_urlsafe(32),
            caller_key=secrets.token_urlsafe(32),
            twilio_account_sid=ACCOUNT_SID,
            twilio_auth_token=AUTH_TOKEN,
            instance_path=folder / "instance",
            log_level="WARNING",
        )


@contextmanager
def gunicorn(settings: Settings, app: str, port: int) -> Iterator[str]:
    """Serve `app` with the production gunicorn config; yield its base URL."""
    env = settings_environment(settings, PORT=str(port))
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "python:config.gunicorn",
         "--access-logfile", "/dev/null", app],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(base), timeout=60, what=f"gunicorn serving {app}")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@dataclass(frozen=True)
class LoadResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


WRK_SCRIPT = """
local bodies = {}
init = function(args)
  for line in io.lines(args[1]) do
    local signature, body = line:match("([^\\t]+)\\t(.*)")
    table.insert(bodies, {signature, body})
  end
  counter = math.random(#bodies)
end
request = function()
  counter = counter % #bodies + 1
  local item = bodies[counter]
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = item[1]}, item[2])
end
"""


def wrk(url: str, bodies: Path, *, seconds: int, connections: int) -> LoadResult:
    """Drive `url` with wrk at full speed, cycling through pre-signed bodies."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    script = bodies.with_suffix(".lua")
    script.write_text(WRK_SCRIPT)
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
         url, "--", str(bodies)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: .*", output)
    return LoadResult(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        p50_ms=_wrk_ms(re.search(r"50%\s+([\d.]+\w+)", output)[1]),
        p99_ms=_wrk_ms(re.search(r"99%\s+([\d.]+\w+)", output)[1]),
        errors=(int(errors[1]) if errors else 0) + (1 if socket_errors else 0),
    )


def _wrk_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def steady_rate(send, *, rate: int, seconds: int) -> list[float]:
    """Send requests at a fixed rate (open loop) and return their latencies in ms."""
    from concurrent.futures import ThreadPoolExecutor

    latencies: list[float] = []
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=32) as pool:
        futures = []
        for index in range(rate * seconds):
            due = start + index / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(send, index))
        latencies = [future.result() for future in futures]
    return latencies


def describe(samples: list[float]) -> str:
    return (
        f"n={len(samples)} p50={percentile(samples, 0.5):.1f} ms "
        f"p99={percentile(samples, 0.99):.1f} ms max={max(samples):.1f} ms "
        f"mean={statistics.fmean(samples):.1f} ms"
    )


def measured_on() -> str:
    """The commit the benchmark runs, marked "+changes" when the code differs from it (the
    results and the report, which the benchmarks write, do not count)."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    changed = subprocess.run(
        [
            "git",
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            ".",
            ":!bench/results",
            ":!docs",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"{commit or 'unknown'}{'+changes' if changed else ''}"


def write_results(path: Path, figures: dict) -> None:
    """Write a benchmark's figures as JSON, with the commit they were measured on."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**figures, "commit": measured_on()}, indent=1, default=str))
