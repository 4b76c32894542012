"""Hand work to the RQ workers: every job by function reference, carrying only ids."""

from __future__ import annotations

from datetime import timedelta

from rq import Queue, Retry
from rq.exceptions import DuplicateJobError

from warmline.live import LiveLine

# For jobs that are safe to run twice: a Twilio hiccup or a lost worker gets another go.
QUICK_RETRY = Retry(max=3, interval=[2, 5, 15])


class Dispatcher:
    """Intention-revealing enqueues onto the urgency queues."""

    def __init__(self, queues: dict[str, Queue]) -> None:
        self._calls = queues["calls"]
        self._texts = queues["texts"]
        self._maintenance = queues["maintenance"]

    @staticmethod
    def _jobs():
        # Jobs import the domain, and the domain dispatches jobs: resolve the module late.
        from workers import jobs

        return jobs

    def offer_contacts(self, line_id: int, *, after_seconds: int = 0) -> None:
        """Pair waiting contacts with free specialists, now or when a wrap-up ends."""
        job = self._jobs().offer_contacts
        if after_seconds > 0:
            self._calls.enqueue_in(timedelta(seconds=after_seconds), job, line_id, result_ttl=0)
        elif LiveLine(self._calls.connection, line_id).want_offers():
            # One waiting job serves a burst of arrivals: it claims until nobody is left.
            self._calls.enqueue(job, line_id, result_ttl=0)

    def connect_caller(self, contact_id: int) -> None:
        """Move the caller out of the waiting line into their conference."""
        self._calls.enqueue(
            self._jobs().connect_caller, contact_id, result_ttl=0, retry=QUICK_RETRY
        )

    def bring_specialist(self, contact_id: int, specialist_id: int) -> None:
        """Ring a specialist who accepted on screen straight into the conference."""
        self._calls.enqueue(self._jobs().bring_specialist, contact_id, specialist_id, result_ttl=0)

    def add_crisis_counselor(self, contact_id: int) -> None:
        """Dial the crisis line into a live conversation (warm handoff)."""
        self._calls.enqueue(self._jobs().add_crisis_counselor, contact_id, result_ttl=0)

    def hang_up(self, call_sids: list[str]) -> None:
        """End calls that must stop ringing (offers someone else took, a caller who left)."""
        if call_sids:
            self._calls.enqueue(self._jobs().hang_up, call_sids, result_ttl=0, retry=QUICK_RETRY)

    def say_goodbye(self, contact_id: int) -> None:
        """Send a caller left alone in a conference to a gentle goodbye."""
        self._calls.enqueue(self._jobs().say_goodbye, contact_id, result_ttl=0, retry=QUICK_RETRY)

    def repair_live_state(self) -> None:
        self._maintenance.enqueue(self._jobs().repair_live_state, result_ttl=0)

    # The text line.

    @staticmethod
    def _text_jobs():
        from workers import text_jobs

        return text_jobs

    def send_text_reply(
        self, contact_id: int, index: int, *, attempt: int, after_seconds: int = 0
    ) -> None:
        """Send one of a conversation's replies; each attempt at it runs once."""
        job = self._text_jobs().send_reply
        options = {
            "job_id": f"text-send-{contact_id}-{index}-{attempt}",
            "unique": True,
            # A worker killed mid-send: RQ's cleanup runs the job again rather than lose it.
            "retry": Retry(max=2, interval=[30, 120]),
        }
        try:
            if after_seconds > 0:
                self._texts.enqueue_in(
                    timedelta(seconds=after_seconds),
                    job,
                    contact_id,
                    index,
                    attempt,
                    result_ttl=0,
                    **options,
                )
            else:
                self._texts.enqueue(job, contact_id, index, attempt, result_ttl=0, **options)
        except DuplicateJobError:
            pass

    def watch_text(self, contact_id: int, due_ms: int, *, after_seconds: int) -> None:
        """Look at a conversation later: remind a waiting texter, or close it when idle."""
        self._texts.enqueue_in(
            timedelta(seconds=after_seconds),
            self._text_jobs().watch_conversation,
            contact_id,
            due_ms,
            result_ttl=0,
        )
