"""Time for the simulator: a manual clock for tests, a real one for people."""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(order=True)
class Timer:
    """A callback due at a moment on a clock; cancel it to stop it running."""

    due: float
    order: int
    callback: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class _Timers:
    """A heap of timers shared by both clocks."""

    def __init__(self) -> None:
        self._heap: list[Timer] = []
        self._order = itertools.count()
        self._lock = threading.Lock()

    def add(self, due: float, callback: Callable[[], None]) -> Timer:
        timer = Timer(due, next(self._order), callback)
        with self._lock:
            heapq.heappush(self._heap, timer)
        return timer

    def pop_due(self, now: float) -> Timer | None:
        with self._lock:
            while self._heap and self._heap[0].cancelled:
                heapq.heappop(self._heap)
            if self._heap and self._heap[0].due <= now:
                return heapq.heappop(self._heap)
            return None

    def next_due(self) -> float | None:
        with self._lock:
            live = [timer.due for timer in self._heap if not timer.cancelled]
        return min(live, default=None)


class ManualClock:
    """A clock that moves only when told to, running what falls due in order."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._timers = _Timers()
        self._advancing = threading.Lock()

    def now(self) -> float:
        return self._now

    def call_later(self, seconds: float, callback: Callable[[], None]) -> Timer:
        return self._timers.add(self._now + max(0.0, seconds), callback)

    def advance(self, seconds: float) -> None:
        """Move time forward, running every timer that falls due at its own moment."""
        with self._advancing:
            target = self._now + seconds
            while (timer := self._timers.pop_due(target)) is not None:
                self._now = max(self._now, timer.due)
                timer.callback()
            self._now = target


class RealClock:
    """Wall-clock time, with a thread that runs timers as they fall due."""

    def __init__(self) -> None:
        self._timers = _Timers()
        self._changed = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="simulator-clock", daemon=True)
        self._thread.start()

    def now(self) -> float:
        return time.monotonic()

    def call_later(self, seconds: float, callback: Callable[[], None]) -> Timer:
        timer = self._timers.add(self.now() + max(0.0, seconds), callback)
        with self._changed:
            self._changed.notify()
        return timer

    def stop(self) -> None:
        """Stop running timers and let the thread end."""
        with self._changed:
            self._stopping = True
            self._changed.notify()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._changed:
                if self._stopping:
                    return
                due = self._timers.next_due()
                wait = None if due is None else max(0.0, due - self.now())
                if wait is None or wait > 0:
                    self._changed.wait(wait)
                    continue
            while (timer := self._timers.pop_due(self.now())) is not None:
                timer.callback()


Clock = ManualClock | RealClock
