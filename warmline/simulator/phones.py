"""Simulated phones: what a caller or a specialist does with a handset, and what they hear."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from warmline.simulator.scheduler import Scheduler
from warmline.simulator.speech import DEFAULT_LANGUAGE, Utterance
from warmline.simulator.state import RING_SECONDS, Call, Text


class Exchange(Protocol):
    """What a handset needs from the network it is plugged into."""

    def phone(self, number: str) -> Phone:
        """Return the simulated phone with this number."""

    def call_in(self, phone: Phone, to: str) -> Call:
        """Start a call from `phone` to one of the account's numbers."""

    def text_in(self, phone: Phone, to: str, body: str) -> Text:
        """Deliver a text from `phone` to one of the account's numbers."""

    def answer(self, call: Call, *, by_machine: bool = False) -> None:
        """Mark a call answered, by the person or by their voicemail box."""

    def hang_up(self, call: Call, status: str) -> None:
        """End a call from outside its TwiML."""

    def finish(self, call: Call, status: str) -> None:
        """Record the end of a call."""

    def connected_numbers(self, call: Call) -> list[str]:
        """Return the numbers of the phones this call can talk with."""


@dataclass(frozen=True)
class Moment:
    """One line of a phone's transcript: when, what kind, and the words."""

    at: float
    kind: str
    words: str


class Phone:
    """A handset with a number: dial, press keys, speak, answer, hang up, text."""

    def __init__(self, number: str, scheduler: Scheduler, exchange: Exchange) -> None:
        self.number = number
        self._scheduler = scheduler
        self._exchange = exchange
        self.calls: list[Call] = []
        self.texts: list[Text] = []
        self.transcript: list[Moment] = []
        self.rings_before_answer: int | None = None
        self.voicemail_after: int | None = None
        self.busy = False
        self.unreachable = False

    # -- what the phone knows ----------------------------------------------------------------

    @property
    def heard(self) -> list[str]:
        """Return every sentence this phone has heard spoken by TwiML, in order."""
        return [moment.words for moment in self.transcript if moment.kind == "heard"]

    @property
    def call(self) -> Call | None:
        """Return the phone's live call, if any; a call still being set up has not reached it."""
        with self._scheduler.lock:
            return next(
                (
                    call
                    for call in reversed(self.calls)
                    if not call.ended and call.status not in ("queued", "initiated")
                ),
                None,
            )

    @property
    def state(self) -> str:
        """Return "idle", "ringing" (a call is coming in) or "in-call"."""
        with self._scheduler.lock:
            call = self.call
            if call is None:
                return "idle"
            if call.direction != "inbound" and call.status == "ringing":
                return "ringing"
            return "in-call"

    @property
    def ringing(self) -> bool:
        return self.state == "ringing"

    @property
    def connected_to(self) -> list[str]:
        """Return the numbers of the phones this one is talking with."""
        with self._scheduler.lock:
            call = self.call
            return self._exchange.connected_numbers(call) if call else []

    def record(self, kind: str, words: str) -> None:
        self.transcript.append(Moment(self._scheduler.clock.now(), kind, words))

    def add_text(self, text: Text) -> None:
        self.texts.append(text)
        kind = "sent text" if text.sender == self.number else "received text"
        self.record(kind, text.body)

    # -- how it behaves when it rings ---------------------------------------------------------

    def answers_after(self, rings: int) -> Phone:
        """Pick up incoming calls after `rings` rings (0: at once)."""
        self.rings_before_answer, self.busy = rings, False
        return self

    def never_answers(self) -> Phone:
        """Let incoming calls ring until the caller gives up."""
        self.rings_before_answer, self.busy = None, False
        return self

    def has_voicemail(self, after_rings: int = 4) -> Phone:
        """Let a voicemail box answer a call nobody picks up within `after_rings` rings.

        What the box records is heard on this phone: whoever plays the messages hears it.
        """
        self.voicemail_after = after_rings
        return self

    def is_busy(self) -> Phone:
        """Answer every incoming call with a busy signal."""
        self.busy = True
        return self

    def is_unreachable(self) -> Phone:
        """Be a number no call can reach (disconnected, or no such number)."""
        self.unreachable = True
        return self

    def ring(self, call: Call) -> None:
        """Start ringing for an incoming call, as this phone's settings say."""
        self.record("ringing", call.sender)
        if self.busy:
            self._exchange.finish(call, "busy")
        elif self.rings_before_answer == 0:
            self._exchange.answer(call)
        elif self.rings_before_answer is not None:
            seconds = self.rings_before_answer * RING_SECONDS
            self._scheduler.later(seconds, lambda: self._exchange.answer(call))
        if self.voicemail_after is not None and not self.busy:
            seconds = self.voicemail_after * RING_SECONDS
            # Whichever answers first takes the call: a later answer finds it in progress.
            self._scheduler.later(seconds, lambda: self._exchange.answer(call, by_machine=True))

    # -- what a person does --------------------------------------------------------------------

    def dial(self, number: str) -> Call:
        """Call one of the line's numbers."""
        with self._scheduler.lock:
            self.record("dialled", number)
            call = self._exchange.call_in(self, number)
            self._scheduler.drain()
            return call

    def answer(self) -> None:
        """Pick up the ringing call."""
        with self._scheduler.lock:
            call = self._ringing_call()
            self._exchange.answer(call)
            self._scheduler.drain()

    def decline(self) -> None:
        """Refuse the ringing call: the caller gets a busy signal."""
        with self._scheduler.lock:
            call = self._ringing_call()
            self._exchange.hang_up(call, "busy")
            self._scheduler.drain()

    def press(self, digits: str) -> None:
        """Press keys on the keypad during a call."""
        with self._scheduler.lock:
            call = self._live_call()
            self.record("pressed", digits)
            self._scheduler.post(call, "digits", digits)
            self._scheduler.drain()

    def say(self, *phrases: str, language: str = DEFAULT_LANGUAGE, pause: float = 0.0) -> None:
        """Speak into the phone in `language`, `pause` seconds of silence between phrases.

        Whoever is connected hears every word; speech recognition hears what its language
        and speechTimeout let through (warmline.simulator.speech).
        """
        utterance = Utterance(tuple(phrases), language, pause)
        with self._scheduler.lock:
            call = self._live_call()
            self.record("said", utterance.words)
            for number in self._exchange.connected_numbers(call):
                self._exchange.phone(number).record("voice", utterance.words)
            self._scheduler.post(call, "speech", utterance)
            self._scheduler.drain()

    def stay_silent(self, seconds: float) -> None:
        """Say and press nothing while `seconds` pass (only on a manual clock)."""
        self._scheduler.clock.advance(seconds)

    def hang_up(self) -> None:
        """End the phone's call, ringing or connected."""
        with self._scheduler.lock:
            call = self._live_call()
            self.record("hung up", "")
            ringing = call.direction != "inbound" and call.status != "in-progress"
            self._exchange.hang_up(call, "busy" if ringing else "completed")
            self._scheduler.drain()

    def send_text(self, to: str, body: str) -> Text:
        """Send an SMS to one of the line's numbers."""
        with self._scheduler.lock:
            text = self._exchange.text_in(self, to, body)
            self._scheduler.drain()
            return text

    def _live_call(self) -> Call:
        call = self.call
        if call is None:
            raise RuntimeError(f"phone {self.number} has no call")
        return call

    def _ringing_call(self) -> Call:
        call = self._live_call()
        if self.state != "ringing":
            raise RuntimeError(f"phone {self.number} is not ringing")
        return call
