"""The work the domain hands to background workers, asked for by intention and ids alone."""

from __future__ import annotations

from typing import Protocol


class Jobs(Protocol):
    """Slow work (anything that talks to Twilio or waits) the domain asks to be done later."""

    def offer_contacts(
        self, line_id: int, *, after_seconds: int = 0, wanted: bool | None = None
    ) -> None:
        """Pair waiting contacts with free specialists, now or when a wrap-up ends.

        `wanted`: the answer of `LiveLine.want_offers`, when the caller already asked it.
        """
        ...

    def connect_caller(self, contact_id: int) -> None:
        """Move the caller out of the waiting line into their conference."""
        ...

    def bring_specialist(self, contact_id: int, specialist_id: int) -> None:
        """Ring a specialist who accepted on screen straight into the conference."""
        ...

    def add_crisis_counselor(self, contact_id: int) -> None:
        """Dial the crisis line into a live conversation (warm handoff)."""
        ...

    def supervise_call(self, contact_id: int) -> None:
        """Ring the call's supervisor into it, or change how they are heard there."""
        ...

    def hang_up(self, call_sids: list[str]) -> None:
        """End calls that must stop ringing (offers someone else took, a caller who left)."""
        ...

    def say_goodbye(self, contact_id: int) -> None:
        """Send a caller left alone in a conference to a gentle goodbye."""
        ...

    def retry_callback(self, contact_id: int, *, after_seconds: int) -> None:
        """Put a caller whose call back went unanswered back in their place, later."""
        ...

    def tell_specialist(self, contact_id: int, call_sid: str, why: str) -> None:
        """Tell the specialist who accepted a caller why they are not coming; end their call.

        `why`: a `calls.Gone` value (hung up, went to the crisis line, did not answer).
        """
        ...

    def repair_live_state(self) -> None:
        """Mend drift between the live line and the database soon."""
        ...

    def send_text_reply(
        self, contact_id: int, index: int, *, attempt: int, after_seconds: int = 0
    ) -> None:
        """Send one of a conversation's replies; each attempt at it runs once."""
        ...

    def watch_text(self, contact_id: int, due_ms: int, *, after_seconds: int) -> None:
        """Look at a conversation later: remind a waiting texter, or close it when idle."""
        ...
