"""The worker process's runtime, installed by its composition root for the jobs to use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from warmline.runtime import Runtime

_installed: list[Runtime] = []


@contextmanager
def installed(services: Runtime) -> Iterator[Runtime]:
    """Make `services` what this process's jobs use until the block ends."""
    _installed[:] = [services]
    try:
        yield services
    finally:
        _installed.clear()


def current() -> Runtime:
    """Return the runtime the jobs of this process use."""
    if not _installed:
        raise RuntimeError("no worker runtime is installed; start workers with `warmline worker`")
    return _installed[0]
