"""Describe the machine the benchmarks ran on: CPUs, memory, Python, PostgreSQL, Redis.

python -m bench.machine [--json bench/results/machine.json]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
from pathlib import Path

import psycopg

from bench.harness import ROOT, write_results
from tests.services import postgres_server
from warmline.embedded import redis_server_binary


def describe() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line),
        platform.processor() or "unknown",
    )
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    total_kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
    with postgres_server() as admin, psycopg.connect(admin) as connection:
        postgres = connection.execute("SHOW server_version").fetchone()[0]
    redis = shutil.which("redis-server") or str(redis_server_binary())
    redis_version = subprocess.run(
        [redis, "--version"], capture_output=True, text=True, check=True
    ).stdout.split()[2]
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    return {
        "nproc": str(os.cpu_count()),
        "cpu_model": model,
        "memory_gib": f"{total_kb / 1024 / 1024:.1f}",
        "kernel": platform.release(),
        "os": platform.freedesktop_os_release().get("PRETTY_NAME", platform.system()),
        "python": platform.python_version(),
        "postgresql": postgres,
        "redis": redis_version.removeprefix("v="),
        "wrk": wrk.split("[")[0].strip() if wrk else "not installed",
        "load_average": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "machine.json")
    options = parser.parse_args()
    machine = describe()
    for key, value in machine.items():
        print(f"{key}: {value}")
    write_results(options.json, machine)


if __name__ == "__main__":
    main()
