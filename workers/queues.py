"""The RQ implementation of the domain's `Jobs`: every job by function reference, with ids."""

from __future__ import annotations

from datetime import timedelta

import redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError

from warmline.live import LiveLine
from workers import jobs, text_jobs

# Most urgent first: a worker always drains calls before texts before housekeeping.
QUEUE_NAMES = ("calls", "texts", "maintenance")
# For jobs that are safe to run twice: a Twilio hiccup or a lost worker gets another go.
QUICK_RETRY = Retry(max=3, interval=[2, 5, 15])


def urgency_queues(client: redis.Redis) -> dict[str, Queue]:
    """Return the queues by name, most urgent first."""
    return {name: Queue(name, connection=client) for name in QUEUE_NAMES}


class RqJobs:
    """Intention-revealing enqueues onto the urgency queues."""

    def __init__(self, client: redis.Redis) -> None:
        queues = urgency_queues(client)
        self._calls = queues["calls"]
        self._texts = queues["texts"]
        self._maintenance = queues["maintenance"]

    def offer_contacts(
        self, line_id: int, *, after_seconds: int = 0, wanted: bool | None = None
    ) -> None:
        """Pair waiting contacts with free specialists, now or when a wrap-up ends."""
        if after_seconds > 0:
            self._calls.enqueue_in(
                timedelta(seconds=after_seconds), jobs.offer_contacts, line_id, result_ttl=0
            )
            return
        if wanted is None:
            wanted = LiveLine(self._calls.connection, line_id).want_offers()
        if wanted:
            # One waiting job serves a burst of arrivals: it claims until nobody is left.
            self._calls.enqueue(jobs.offer_contacts, line_id, result_ttl=0)

    def connect_caller(self, contact_id: int) -> None:
        """Move the caller out of the waiting line into their conference."""
        self._calls.enqueue(jobs.connect_caller, contact_id, result_ttl=0, retry=QUICK_RETRY)

    def bring_specialist(self, contact_id: int, specialist_id: int) -> None:
        """Ring a specialist who accepted on screen straight into the conference."""
        self._calls.enqueue(jobs.bring_specialist, contact_id, specialist_id, result_ttl=0)

    def add_crisis_counselor(self, contact_id: int) -> None:
        """Dial the crisis line into a live conversation (warm handoff)."""
        self._calls.enqueue(jobs.add_crisis_counselor, contact_id, result_ttl=0)

    def supervise_call(self, contact_id: int) -> None:
        """Ring the call's supervisor into it, or change how they are heard there."""
        self._calls.enqueue(jobs.supervise_call, contact_id, result_ttl=0)

    def hang_up(self, call_sids: list[str]) -> None:
        """End calls that must stop ringing (offers someone else took, a caller who left)."""
        if call_sids:
            self._calls.enqueue(jobs.hang_up, call_sids, result_ttl=0, retry=QUICK_RETRY)

    def say_goodbye(self, contact_id: int) -> None:
        """Send a caller left alone in a conference to a gentle goodbye."""
        self._calls.enqueue(jobs.say_goodbye, contact_id, result_ttl=0, retry=QUICK_RETRY)

    def retry_callback(self, contact_id: int, *, after_seconds: int) -> None:
        """Put a caller whose call back went unanswered back in their place, later."""
        self._calls.enqueue_in(
            timedelta(seconds=after_seconds),
            jobs.retry_callback,
            contact_id,
            job_id=f"callback-retry-{contact_id}",
            result_ttl=0,
        )

    def tell_specialist(self, contact_id: int, call_sid: str, why: str) -> None:
        """Tell the specialist who accepted a caller why they are not coming; end their call."""
        self._calls.enqueue(
            jobs.tell_specialist, contact_id, call_sid, why, result_ttl=0, retry=QUICK_RETRY
        )

    def repair_live_state(self) -> None:
        """Mend drift between the live line and the database soon."""
        self._maintenance.enqueue(jobs.repair_live_state, result_ttl=0)

    def send_text_reply(
        self, contact_id: int, index: int, *, attempt: int, after_seconds: int = 0
    ) -> None:
        """Send one of a conversation's replies; each attempt at it runs once."""
        options = {
            "job_id": f"text-send-{contact_id}-{index}-{attempt}",
            "unique": True,
            # A worker killed mid-send: RQ's cleanup runs the job again rather than lose it.
            "retry": Retry(max=2, interval=[30, 120]),
            "result_ttl": 0,
        }
        arguments = (text_jobs.send_reply, contact_id, index, attempt)
        try:
            if after_seconds > 0:
                self._texts.enqueue_in(timedelta(seconds=after_seconds), *arguments, **options)
            else:
                self._texts.enqueue(*arguments, **options)
        except DuplicateJobError:
            pass

    def watch_text(self, contact_id: int, due_ms: int, *, after_seconds: int) -> None:
        """Look at a conversation later: remind a waiting texter, or close it when idle."""
        self._texts.enqueue_in(
            timedelta(seconds=after_seconds),
            text_jobs.watch_conversation,
            contact_id,
            due_ms,
            result_ttl=0,
        )
