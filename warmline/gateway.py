"""What the domain asks of the phone network, and the two ways it can say no."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class TwilioRefused(Exception):
    """Twilio answered and refused the request (an unknown call, a bad number...)."""

    def __init__(self, status: int, code: int | None) -> None:
        super().__init__(f"Twilio refused the request: HTTP {status}, error {code}")
        self.status = status
        self.code = code

    @property
    def call_is_over(self) -> bool:
        """Return whether Twilio refused because the call no longer exists or has ended."""
        return self.status == 404 or self.code in (20404, 21220)


class TwilioUnreachable(Exception):
    """Twilio did not answer in time, or the network between us failed."""


@dataclass(frozen=True)
class Participant:
    """A call placed into a conference: its SID, and the SID of the conference it is in."""

    call_sid: str
    conference_sid: str


class Gateway(Protocol):
    """Intention-revealing calls to Twilio; each raises TwilioRefused or TwilioUnreachable."""

    def ring_specialist(
        self, *, to: str, from_: str, url: str, status_callback: str, timeout_seconds: int
    ) -> str:
        """Ring a specialist's phone; `url` is the whisper TwiML. Return the new call's SID."""
        ...

    def call_back(
        self, *, to: str, from_: str, url: str, status_callback: str, timeout_seconds: int
    ) -> str:
        """Call a caller back from the line's number; `url` says who calls. Return the SID."""
        ...

    def redirect_call(self, call_sid: str, url: str, *, fallback_url: str) -> None:
        """Send a live call to new TwiML, and to `fallback_url` should that TwiML fail."""
        ...

    def call_status(self, call_sid: str) -> str:
        """Ask Twilio how a call stands (queued, ringing, in-progress, completed...)."""
        ...

    def hang_up(self, call_sid: str) -> None:
        """End a call, ringing or connected."""
        ...

    def add_conference_participant(
        self, *, conference: str, to: str, from_: str, status_callback: str, timeout_seconds: int
    ) -> str:
        """Dial `to` into the named conference; return the new call's SID."""
        ...

    def add_supervisor(
        self,
        *,
        conference: str,
        to: str,
        from_: str,
        status_callback: str,
        timeout_seconds: int,
        muted: bool,
        coach_call_sid: str | None,
    ) -> Participant:
        """Dial a supervisor into the named conference, silently: muted to listen, or heard
        by the call `coach_call_sid` alone to coach it."""
        ...

    def change_supervisor(
        self, *, conference_sid: str, call_sid: str, muted: bool, coach_call_sid: str | None
    ) -> None:
        """Mute a supervisor in a conference, let them coach one call, or let everyone hear them."""
        ...

    def send_text(self, *, to: str, from_: str, body: str, status_callback: str) -> str:
        """Send one SMS from the line's number; return the message SID."""
        ...
