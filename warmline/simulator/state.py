"""What the simulator remembers (calls, texts, queues, conferences) and how TwiML runs on a call."""

from __future__ import annotations

import secrets
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from warmline.simulator.clock import Timer

API_VERSION = "2010-04-01"
FINAL_CALL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
APPLICATION_ERROR = "We are sorry, an application error has occurred. Goodbye."
RING_SECONDS = 6

# What a call's TwiML returns when it stops: it ran out, or the call is over.
END = "end"
HANGUP = "hangup"


class CallEnded(Exception):
    """Thrown into a call's TwiML when the call ends under it."""


class Interrupt(Exception):
    """Thrown into a call's TwiML when an event outside the current wait takes over."""

    def __init__(self, event: tuple) -> None:
        super().__init__(event[0])
        self.event = event


class Redirected(Exception):
    """Thrown into a call's TwiML when a REST update sends the call to new TwiML."""


class LeaveQueue(Exception):
    """<Leave> ran in a queue's wait music."""


def new_sid(prefix: str) -> str:
    """Return a Twilio-shaped SID: two letters and 32 hex digits."""
    return prefix + secrets.token_hex(16)


@dataclass
class Wait:
    """What a call's TwiML is waiting for, and the timer that ends the wait."""

    accepts: frozenset[str]
    seconds: float | None = None
    timer: Timer | None = None
    token: int = 0


Steps = Generator[Wait, Any, Any]


def wait_until(ending: str, *passing: str) -> Steps:
    """Wait for an `ending` event, taking and letting go any `passing` ones before it."""
    while True:
        event = yield Wait(frozenset({ending, *passing}))
        if event[0] == ending:
            return


@dataclass(frozen=True)
class Source:
    """Where a call's next TwiML comes from: a URL or a literal document."""

    url: str | None = None
    method: str = "POST"
    twiml: str | None = None
    # Sent with the first request for this TwiML only (AnsweredBy, for a call placed with
    # answering machine detection).
    params: tuple[tuple[str, str], ...] = ()


@dataclass
class Text:
    """One SMS in a phone's thread."""

    sid: str
    sender: str
    recipient: str
    body: str
    at: float
    status: str = "queued"


@dataclass
class Call:
    """One call leg, as Twilio's Call resource describes it."""

    sid: str
    account_sid: str
    sender: str
    recipient: str
    direction: str
    created_at: float
    status: str = "queued"
    parent_sid: str | None = None
    url: str | None = None
    method: str = "POST"
    fallback_url: str | None = None
    status_callback: str | None = None
    status_callback_events: frozenset[str] = frozenset({"completed"})
    timeout: int = 60
    queue_time: float = 0.0
    answered_at: float | None = None
    ended_at: float | None = None
    sequence: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    bridged_to: Call | None = None
    conference: str | None = None
    task: Steps | None = None
    waiting: Wait | None = None
    interrupts: frozenset[str] = frozenset()
    ends_conference: bool = False
    # As a conference participant: muted (heard by nobody), on hold (hears and is heard by
    # nobody), coaching the call with this SID (heard by that call alone).
    muted: bool = False
    hold: bool = False
    coaching: str | None = None
    ring_timer: Timer | None = None
    on_answer: Any = None
    # Answering machine detection asked for when the call was placed (Enable or
    # DetectMessageEnd), and what it found once the call was answered.
    machine_detection: str | None = None
    answered_by: str | None = None

    @property
    def ended(self) -> bool:
        return self.status in FINAL_CALL_STATUSES

    @property
    def device_number(self) -> str:
        """Return the number of the simulated phone at this leg's far end."""
        return self.sender if self.direction == "inbound" else self.recipient

    def duration(self, now: float) -> int:
        if self.answered_at is None:
            return 0
        return int((self.ended_at if self.ended_at is not None else now) - self.answered_at)


@dataclass
class Member:
    """A call waiting in a queue."""

    call: Call
    enqueued_at: float


@dataclass
class Queue:
    """A named call queue, created on first use as <Enqueue> does."""

    sid: str
    name: str
    created_at: float = 0.0
    max_size: int = 1000
    members: list[Member] = field(default_factory=list)

    def position(self, call: Call) -> int:
        for index, member in enumerate(self.members, start=1):
            if member.call is call:
                return index
        return 0

    def average_wait(self, now: float) -> int:
        """Return the average wait, in whole seconds, of the calls in the queue now."""
        waits = [now - member.enqueued_at for member in self.members]
        return int(sum(waits) / len(waits)) if waits else 0


@dataclass
class Conference:
    """A named conference room and the calls in it."""

    sid: str
    name: str
    participants: list[Call] = field(default_factory=list)
    status: str = "init"
