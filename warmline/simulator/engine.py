"""The simulator as one object: the phones' exchange, built from the parts Twilio is made of."""

from __future__ import annotations

import requests

from warmline.simulator.calls import Calls
from warmline.simulator.carrier import Carrier
from warmline.simulator.clock import Clock
from warmline.simulator.conferences import Conferences
from warmline.simulator.directory import Directory, Line
from warmline.simulator.phones import Phone
from warmline.simulator.queues import Queues
from warmline.simulator.scheduler import Scheduler
from warmline.simulator.state import Call, Text
from warmline.simulator.texts import Texts
from warmline.simulator.twiml import Interpreter
from warmline.simulator.webhook_client import WebhookClient


class Simulator:
    """A stand-in for Twilio: it owns the phones and carries their calls and texts."""

    def __init__(
        self,
        *,
        webhook_base_url: str,
        account_sid: str,
        auth_token: str,
        clock: Clock,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.clock = clock
        # The scheduler runs TwiML and ends calls, both built on the scheduler: bind them late.
        self.scheduler = Scheduler(
            clock,
            program=lambda call, source: self.interpreter.program(call, source),
            finish=lambda call, status: self.calls.finish(call, status),
        )
        self.lock = self.scheduler.lock
        self.directory = Directory(webhook_base_url, self.scheduler, self)
        self.webhooks = WebhookClient(
            auth_token=auth_token,
            clock=clock,
            directory=self.directory,
            http=requests.Session(),
        )
        carrier = Carrier(account_sid, self.scheduler, self.directory, self.webhooks)
        self.queues = Queues(self.scheduler)
        self.conferences = Conferences(self.scheduler)
        self.calls = Calls(carrier, self.queues, self.conferences)
        self.texts = Texts(carrier)
        self.interpreter = Interpreter(
            carrier, self.calls, self.queues, self.conferences, self.texts
        )

    @property
    def phones(self) -> dict[str, Phone]:
        """Return every simulated phone by number."""
        return self.directory.phones

    @property
    def lines(self) -> dict[str, Line]:
        """Return every number the account owns."""
        return self.directory.lines

    @property
    def errors(self) -> list[tuple[str, int, str]]:
        """Return what Twilio's debugger would show: (call or text SID, error code, URL)."""
        return self.webhooks.errors

    def line(self, number: str) -> Line:
        """Return the account's number `number`, pointed at the warmline app's webhooks."""
        return self.directory.line(number)

    def idle(self) -> bool:
        """Return whether no work is waiting to run after a request."""
        return self.scheduler.idle()

    def close(self) -> None:
        """Stop the background runner."""
        self.scheduler.close()

    # -- the exchange the phones are plugged into ---------------------------------------------

    def phone(self, number: str) -> Phone:
        """Return the simulated phone with this number, making it on first use."""
        return self.directory.phone(number)

    def call_in(self, phone: Phone, to: str) -> Call:
        """Start a call from a simulated phone to one of the account's numbers."""
        return self.calls.call_in(phone, to)

    def text_in(self, phone: Phone, to: str, body: str) -> Text:
        """Deliver a text from a simulated phone to the account's number and act on the reply."""
        return self.texts.receive(phone, to, body)

    def answer(self, call: Call, *, by_machine: bool = False) -> None:
        """Mark a call answered (by a person, or by a voicemail box) and let whoever waits on
        it know."""
        self.calls.answer(call, by_machine=by_machine)

    def hang_up(self, call: Call, status: str) -> None:
        """End a call from outside its TwiML."""
        self.calls.hang_up(call, status)

    def finish(self, call: Call, status: str) -> None:
        """Record the end of a call and tell everyone tied to it."""
        self.calls.finish(call, status)

    def connected_numbers(self, call: Call) -> list[str]:
        """Return the numbers of the phones this call can talk with."""
        return self.calls.connected_numbers(call)
