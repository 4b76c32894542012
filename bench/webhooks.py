"""Run the three webhook benchmarks one after another and collect their figures.

    python -m bench.webhooks [--seconds 10] [--json bench/results/webhooks.json]

Runs `bench.webhook_load voice`, `sms` and `status` as separate programs (each starts its
own database, Redis and gunicorn, and its own bare and durable yardsticks in the same run),
reads the table and the steady-rate line each prints, and writes them as JSON.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

from bench.harness import ROOT, write_results

BENCHMARKS = {"voice incoming": "voice", "sms incoming": "sms", "voice status": "status"}
ROW = re.compile(
    r"^\| (bare|durable|warmline) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| (\d+) \|$", re.M
)
STEADY = re.compile(r"^steady 100 [\w/]+: n=(\d+) p50=([\d.]+) ms p99=([\d.]+) ms", re.M)


def parse(output: str) -> dict:
    rows = {
        name: {"rps": float(rps), "p50_ms": float(p50), "p99_ms": float(p99), "errors": int(err)}
        for name, rps, p50, p99, err in ROW.findall(output)
    }
    steady = STEADY.search(output)
    return {
        **rows,
        "ratio": rows["warmline"]["rps"] / rows["bare"]["rps"],
        "ratio_durable": rows["warmline"]["rps"] / rows["durable"]["rps"],
        "steady_100": {"n": int(steady[1]), "p50_ms": float(steady[2]), "p99_ms": float(steady[3])},
        "output": output,
    }


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "webhooks.json")
    options = parser.parse_args()
    results = {}
    for name, webhook in BENCHMARKS.items():
        before = load_average()
        command = [sys.executable, "-m", "bench.webhook_load", webhook]
        output = subprocess.run(
            [*command, "--seconds", str(options.seconds)],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        results[name] = {**parse(output), "load_before": before, "load_after": load_average()}
        figures = results[name]
        print(
            f"{name}: warmline {figures['warmline']['rps']:.0f}/s vs bare "
            f"{figures['bare']['rps']:.0f}/s (ratio {figures['ratio']:.2f}), durable "
            f"{figures['durable']['rps']:.0f}/s (ratio {figures['ratio_durable']:.2f}); "
            f"p99 at 100/s {figures['steady_100']['p99_ms']:.1f} ms"
        )
    write_results(options.json, results)


if __name__ == "__main__":
    main()
