"""Start the real programs (`warmline ...`, gunicorn) as separate processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psutil

from config.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


BIN = Path(sys.executable).parent


def warmline_command() -> list[str]:
    return [str(BIN / "warmline")]


def environment(**variables: str) -> dict[str, str]:
    """The current environment without any warmline settings, the venv first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WARMLINE_", "TWILIO_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(variables)
    return env


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as sink:
        return subprocess.Popen(args, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)


def descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def settings_environment(settings: Settings, **variables: str) -> dict[str, str]:
    """The environment that makes a child process use `settings`."""
    return environment(**{**settings.to_environ(), **variables})


def work(settings: Settings) -> str:
    """Run a real worker process until the queues are empty; return what it logged."""
    result = subprocess.run(
        [*warmline_command(), "worker", "--burst"],
        cwd=ROOT,
        env=settings_environment(settings, WARMLINE_LOG_LEVEL="DEBUG"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout + result.stderr
