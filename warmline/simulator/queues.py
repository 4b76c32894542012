"""Call queues: made on first use by name, with the statistics Twilio reports about them."""

from __future__ import annotations

from collections.abc import Iterable

from warmline.simulator.scheduler import Scheduler
from warmline.simulator.state import Call, Member, Queue, new_sid


class Queues(dict[str, Queue]):
    """The account's queues by SID."""

    def __init__(self, scheduler: Scheduler) -> None:
        super().__init__()
        self._scheduler = scheduler

    def named(self, name: str) -> Queue:
        """Return the queue called `name`, making it on first use as <Enqueue> does."""
        for waiting in self.values():
            if waiting.name == name:
                return waiting
        created = Queue(sid=new_sid("QU"), name=name, created_at=self._scheduler.clock.now())
        self[created.sid] = created
        return created

    def find(self, sid_or_name: str) -> Queue | None:
        """Return the queue with this SID or name, if there is one."""
        if sid_or_name in self:
            return self[sid_or_name]
        return next((q for q in self.values() if q.name == sid_or_name), None)

    def join(self, waiting: Queue, call: Call, others: Iterable[Call]) -> None:
        """Put a call at the back of a queue and wake the `others` waiting for a caller."""
        waiting.members.append(Member(call, self._scheduler.clock.now()))
        for other in others:
            if other.waiting and "queue-joined" in other.waiting.accepts:
                self._scheduler.post(other, "queue-joined", waiting.name)

    def leave(self, waiting: Queue, call: Call) -> None:
        """Take a call out of a queue."""
        waiting.members = [member for member in waiting.members if member.call is not call]

    def drop(self, call: Call) -> None:
        """Take an ended call out of every queue."""
        for waiting in self.values():
            waiting.members = [member for member in waiting.members if member.call is not call]

    def stats(self, waiting: Queue, call: Call) -> dict[str, str]:
        """Return the queue parameters Twilio sends to a waiting call's wait URL.

        AvgQueueTime is "the average time in seconds that all callers have been in the
        queue": the callers in it now, not the ones it has served.
        """
        member = next((m for m in waiting.members if m.call is call), None)
        waited = int(self._scheduler.clock.now() - member.enqueued_at) if member else 0
        return {
            "QueueSid": waiting.sid,
            "QueuePosition": str(waiting.position(call)),
            "QueueTime": str(waited),
            "AvgQueueTime": str(waiting.average_wait(self._scheduler.clock.now())),
            "CurrentQueueSize": str(len(waiting.members)),
            "MaxQueueSize": str(waiting.max_size),
        }
