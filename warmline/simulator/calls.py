"""Call legs: how they start, ring, are answered, connect and end, as Twilio reports it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from warmline.simulator.carrier import Carrier
from warmline.simulator.conferences import Conferences
from warmline.simulator.phones import Phone
from warmline.simulator.queues import Queues
from warmline.simulator.state import Call, Source, new_sid

# "We always add a 5-second timeout buffer to outgoing calls" (the Participants resource's
# Timeout); the Calls resource says the same "for some call flows": every outgoing leg gets it.
RING_BUFFER_SECONDS = 5
# "By default each account is granted 1 CPS for Programmable Voice API calls"; the calls
# beyond it wait in the account's call queue, and <Dial> is not limited.
CALLS_PER_SECOND = 1
# What answering machine detection reports in AnsweredBy: a person, or a machine as soon as
# it is identified (MachineDetection=Enable) or once its greeting has ended
# (DetectMessageEnd): https://www.twilio.com/docs/voice/answering-machine-detection
HUMAN = "human"
MACHINE = {"Enable": "machine_start", "DetectMessageEnd": "machine_end_beep"}
# A voicemail box stops recording, and hangs up, after this long.
VOICEMAIL_SECONDS = 120


class Calls(dict[str, Call]):
    """The account's call legs by SID, and what happens to them."""

    def __init__(self, carrier: Carrier, queues: Queues, conferences: Conferences) -> None:
        super().__init__()
        self._carrier = carrier
        self._queues = queues
        self._conferences = conferences
        # When the account's call queue may place its next API call.
        self._next_placing = float("-inf")

    def new(self, **fields: Any) -> Call:
        """Make a call leg on the account, on the phone at its far end."""
        call = Call(
            sid=new_sid("CA"),
            account_sid=self._carrier.account_sid,
            created_at=self._carrier.now(),
            **fields,
        )
        self[call.sid] = call
        self._carrier.directory.phone(call.device_number).calls.append(call)
        return call

    def call_in(self, phone: Phone, to: str) -> Call:
        """Start a call from a simulated phone to one of the account's numbers."""
        line = self._carrier.directory.line(to)
        call = self.new(
            sender=phone.number,
            recipient=to,
            direction="inbound",
            status="ringing",
            url=line.voice_url,
            fallback_url=line.fallback_url,
            status_callback=line.status_callback,
        )
        self._carrier.scheduler.start_program(call, Source(url=line.voice_url))
        return call

    def place(self, call: Call, on_answer: Callable[[Call], None]) -> None:
        """Queue an API call behind the account's others, one a second, then ring it.

        The wait in the queue is not ringing: the call's timeout (plus Twilio's buffer)
        starts when it rings.
        """
        now = self._carrier.now()
        placing = max(now, self._next_placing)
        self._next_placing = placing + 1 / CALLS_PER_SECOND
        call.queue_time = placing - now
        scheduler = self._carrier.scheduler
        if placing <= now:
            scheduler.soon(lambda: self._ring_placed(call, on_answer))
        else:
            scheduler.later(placing - now, lambda: self._ring_placed(call, on_answer))

    def _ring_placed(self, call: Call, on_answer: Callable[[Call], None]) -> None:
        if call.ended:
            return
        # The ring timer is set before anyone can see the call ringing: whoever sees it may move
        # the clock on at once. Answering or ending the call cancels it.
        call.ring_timer = self._carrier.scheduler.later(
            call.timeout + RING_BUFFER_SECONDS, lambda: self.finish(call, "no-answer")
        )
        self.call_out(call, on_answer)

    def call_out(self, call: Call, on_answer: Callable[[Call], None]) -> None:
        """Dial an outgoing leg: initiated, then ringing at the phone."""
        call.on_answer = on_answer
        call.status = "initiated"
        self._carrier.webhooks.status_callback(call, "initiated")
        if call.ended:
            return
        if self._carrier.directory.phone(call.recipient).unreachable:
            # "failed: The call could not be completed as dialed, most likely because the
            # phone number was non-existent" (the Call resource's Status values): it never rings.
            self.finish(call, "failed")
            return
        call.status = "ringing"
        self._carrier.webhooks.status_callback(call, "ringing")
        self._carrier.directory.phone(call.recipient).ring(call)

    def answer(self, call: Call, *, by_machine: bool = False) -> None:
        """Mark a call answered (by a person, or a voicemail box) and let whoever waits on it
        know."""
        if call.status not in ("queued", "initiated", "ringing"):
            return
        if call.ring_timer:
            call.ring_timer.cancel()
        if by_machine:
            self._carrier.scheduler.later(VOICEMAIL_SECONDS, lambda: self.hang_up(call))
        call.status = "in-progress"
        call.answered_at = self._carrier.now()
        if call.machine_detection:
            call.answered_by = MACHINE[call.machine_detection] if by_machine else HUMAN
        self._carrier.webhooks.status_callback(call, "answered")
        if call.on_answer is not None:
            call.on_answer(call)

    def hang_up(self, call: Call, status: str = "completed") -> None:
        """End a call from outside its TwiML: a phone hung up, or the REST API said so."""
        if not call.ended:
            self._carrier.scheduler.post(call, "hangup", status)

    def finish(self, call: Call, status: str) -> None:
        """Record the end of a call and tell everyone tied to it."""
        if call.ended:
            return
        self._carrier.scheduler.end_task(call)
        if call.ring_timer:
            call.ring_timer.cancel()
        call.status = status
        call.ended_at = self._carrier.now()
        other, call.bridged_to = call.bridged_to, None
        if other is not None:
            other.bridged_to = None
            self._carrier.scheduler.post(other, "unbridged", call)
        if call.conference is not None:
            self._conferences.leave(call)
        self._queues.drop(call)
        if call.parent_sid:
            parent = self[call.parent_sid]
            self._carrier.scheduler.post(parent, "leg-ended", call)
        self._carrier.webhooks.status_callback(call, "completed")

    def bridge(self, one: Call, other: Call) -> None:
        """Connect two calls so their phones talk to each other."""
        one.bridged_to, other.bridged_to = other, one
        self._carrier.scheduler.post(one, "bridged", other)
        self._carrier.scheduler.post(other, "bridged", one)

    def connected_numbers(self, call: Call) -> list[str]:
        """Return the numbers of the phones this call can talk with."""
        if call.ended:
            return []
        if call.bridged_to is not None:
            return [call.bridged_to.device_number]
        if call.conference is not None:
            room = self._conferences[call.conference]
            if room.status != "in-progress" or call.muted or call.hold:
                return []
            # "The participant being coached is the only participant who can hear the
            # participant who is coaching" (the Conference Participant resource).
            return [
                other.device_number
                for other in room.participants
                if other is not call
                and not other.hold
                and (call.coaching is None or other.sid == call.coaching)
            ]
        return []
