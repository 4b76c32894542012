"""Run the simulator's work in order: each call's TwiML, the events it waits for, its timers."""

from __future__ import annotations

import contextlib
import inspect
import itertools
import logging
import queue
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from warmline.simulator.clock import Clock, Timer
from warmline.simulator.state import Call, CallEnded, Interrupt, Redirected, Source, Steps, Wait

log = logging.getLogger(__name__)


class Scheduler:
    """One lock, one queue of call events and a background runner for work after a request."""

    def __init__(
        self,
        clock: Clock,
        *,
        program: Callable[[Call, Source], Steps],
        finish: Callable[[Call, str], None],
    ) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self._program = program
        self._finish = finish
        self._events: deque[tuple[Call, tuple]] = deque()
        self._draining = False
        self._tokens = itertools.count(1)
        self._soon: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._busy = 0
        self._runner = threading.Thread(target=self._run_soon, name="simulator", daemon=True)
        self._runner.start()

    # -- work after a request ---------------------------------------------------------------

    def soon(self, work: Callable[[], None]) -> None:
        """Run `work` shortly, after the current request has been answered."""
        with self.lock:
            self._busy += 1
        self._soon.put(work)

    def idle(self) -> bool:
        """Return whether nothing handed to `soon` is still waiting to run."""
        with self.lock:
            return self._busy == 0

    def close(self) -> None:
        """Stop the background runner."""
        self._soon.put(None)
        self._runner.join(timeout=10)

    def _run_soon(self) -> None:
        while (work := self._soon.get()) is not None:
            try:
                with self.lock:
                    work()
                    self.drain()
            except Exception:
                log.exception("simulator work failed")
            finally:
                with self.lock:
                    self._busy -= 1

    def later(self, seconds: float, work: Callable[[], None]) -> Timer:
        """Run `work` under the lock after `seconds` on the simulator's clock."""

        def run() -> None:
            with self.lock:
                work()
                self.drain()

        return self.clock.call_later(seconds, run)

    # -- call events ------------------------------------------------------------------------

    def post(self, call: Call, *event: Any) -> None:
        """Queue an event for a call's TwiML; `drain` delivers it."""
        self._events.append((call, event))

    def drain(self) -> None:
        """Deliver queued events until none are left; safe to call from inside a delivery."""
        if self._draining:
            return
        self._draining = True
        try:
            while self._events:
                call, event = self._events.popleft()
                self._deliver(call, event)
        finally:
            self._draining = False

    def start_program(self, call: Call, source: Source) -> None:
        """Run TwiML on a call from `source`, replacing whatever it was running."""
        self.start_task(call, self._program(call, source))

    def start_task(self, call: Call, task: Steps) -> None:
        """Run `task` on a call, replacing whatever it was running."""
        self._stop_task(call)
        call.task = task
        call.waiting = Wait(frozenset({"start"}))
        self.post(call, "start")

    def end_task(self, call: Call) -> None:
        """Stop a call's task, letting it clean up as a call that ended under it."""
        if call.waiting and call.waiting.timer:
            call.waiting.timer.cancel()
        task, call.task, call.waiting = call.task, None, None
        # A call's own TwiML may end it (<Reject>); it then runs out by itself.
        if task is None or inspect.getgeneratorstate(task) == inspect.GEN_RUNNING:
            return
        try:
            task.throw(CallEnded())
        except (CallEnded, StopIteration):
            return
        task.close()

    def _redirect(self, call: Call, source: Source) -> None:
        """Let a call's TwiML report that it is being redirected, then run `source` on it."""
        task = call.task
        if task is not None and inspect.getgeneratorstate(task) == inspect.GEN_SUSPENDED:
            with contextlib.suppress(Redirected, StopIteration):
                task.throw(Redirected())
        self.start_program(call, source)

    def _stop_task(self, call: Call) -> None:
        if call.waiting and call.waiting.timer:
            call.waiting.timer.cancel()
        task, call.task, call.waiting = call.task, None, None
        call.interrupts = frozenset()
        if task is not None:
            task.close()

    def _deliver(self, call: Call, event: tuple) -> None:
        kind = event[0]
        if kind == "hangup":
            self.end_task(call)
            self._finish(call, event[1])
            return
        if kind == "redirect":
            if not call.ended:
                self._redirect(call, event[1])
            return
        wait = call.waiting
        if call.task is None or wait is None:
            return
        interrupting = kind in call.interrupts and kind not in wait.accepts
        if kind == "timeout":
            if event[1] != wait.token:
                return
        elif kind not in wait.accepts and not interrupting:
            return
        if wait.timer:
            wait.timer.cancel()
        call.waiting = None
        try:
            if kind == "start":
                step = next(call.task)
            elif interrupting:
                step = call.task.throw(Interrupt(event))
            else:
                step = call.task.send(event)
        except StopIteration:
            call.task = None
            if not call.ended:
                self._finish(call, "completed")
            return
        self._wait(call, step)

    def _wait(self, call: Call, wait: Wait) -> None:
        wait.token = next(self._tokens)
        call.waiting = wait
        if wait.seconds is not None:
            token = wait.token
            wait.timer = self.clock.call_later(wait.seconds, lambda: self._timeout(call, token))

    def _timeout(self, call: Call, token: int) -> None:
        with self.lock:
            self.post(call, "timeout", token)
            self.drain()
