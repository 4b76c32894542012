"""What every part of the simulated network runs on, handed to each part as one value."""

from __future__ import annotations

from dataclasses import dataclass

from warmline.simulator.directory import Directory
from warmline.simulator.scheduler import Scheduler
from warmline.simulator.webhook_client import WebhookClient


@dataclass(frozen=True)
class Carrier:
    """The account, the scheduler, the phones and lines, and the client for the app's webhooks."""

    account_sid: str
    scheduler: Scheduler
    directory: Directory
    webhooks: WebhookClient

    def now(self) -> float:
        """Return the time on the simulator's clock."""
        return self.scheduler.clock.now()
