"""The worker process's connections, installed once by its composition root."""

from __future__ import annotations

from warmline.runtime import Runtime

_installed: list[Runtime] = []


def install(services: Runtime) -> None:
    """Make `services` what this process's jobs use."""
    _installed[:] = [services]


def current() -> Runtime:
    if not _installed:
        raise RuntimeError("no worker runtime is installed; start workers with `warmline worker`")
    return _installed[0]
