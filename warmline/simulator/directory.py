"""The numbers the account owns and the simulated phones, looked up by number."""

from __future__ import annotations

from dataclasses import dataclass

from warmline.simulator.phones import Exchange, Phone
from warmline.simulator.scheduler import Scheduler
from warmline.simulator.state import Call


@dataclass
class Line:
    """A number the account owns and where Twilio sends what arrives on it."""

    number: str
    voice_url: str
    sms_url: str
    fallback_url: str
    status_callback: str


class Directory:
    """Every phone and every line the simulator knows, made on first use."""

    def __init__(self, webhook_base_url: str, scheduler: Scheduler, exchange: Exchange) -> None:
        self.webhook_base_url = webhook_base_url.rstrip("/")
        self.phones: dict[str, Phone] = {}
        self.lines: dict[str, Line] = {}
        self._scheduler = scheduler
        self._exchange = exchange

    def phone(self, number: str) -> Phone:
        """Return the simulated phone with this number, making it on first use."""
        with self._scheduler.lock:
            if number not in self.phones:
                self.phones[number] = Phone(number, self._scheduler, self._exchange)
            return self.phones[number]

    def line(self, number: str) -> Line:
        """Return the account's number `number`, pointed at the warmline app's webhooks."""
        with self._scheduler.lock:
            if number not in self.lines:
                base = self.webhook_base_url
                self.lines[number] = Line(
                    number=number,
                    voice_url=f"{base}/webhooks/voice/incoming",
                    sms_url=f"{base}/webhooks/sms/incoming",
                    fallback_url=f"{base}/webhooks/fallback",
                    status_callback=f"{base}/webhooks/voice/status",
                )
            return self.lines[number]

    def hear(self, call: Call, words: str) -> None:
        """Let the phone at the far end of `call` hear spoken words."""
        self.phone(call.device_number).record("heard", words)
