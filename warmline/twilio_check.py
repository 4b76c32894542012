"""`warmline twilio check`: the line's main paths through real Twilio, once, step by step.

The test suite never reaches Twilio itself; this is how an operator with a Twilio account and
spare phones learns whether the line behaves there as it does against the simulator. It reads
the number's settings and Twilio's debugger alerts over the REST API, guides the operator
through a call, a warm handoff and a text, and watches the line's own records (metadata, never
a number) to see each step happen. Run it on a test line: its crisis number is rung for real.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from requests import RequestException
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from config.settings import TWILIO_API_BASE_URL, Settings
from warmline.models import Channel, Contact, Line
from warmline.urls import FALLBACK

# What the README tells a coordinator to set on the number, as Twilio's resource names it.
NUMBER_SETTINGS = {
    "voice_url": "/webhooks/voice/incoming",
    "voice_fallback_url": FALLBACK,
    "status_callback": "/webhooks/voice/status",
    "sms_url": "/webhooks/sms/incoming",
    "sms_fallback_url": FALLBACK,
}
POLL_SECONDS = 1.0


class Outcome(StrEnum):
    PASSED = "PASS"
    FAILED = "FAIL"
    SKIPPED = "SKIP"


@dataclass(frozen=True)
class Finding:
    """What one step of the check saw."""

    step: str
    outcome: Outcome
    detail: str


class Operator(Protocol):
    """The person running the check, with the phones."""

    def tell(self, step: str, instruction: str) -> None:
        """Ask the operator to do something now."""

    def confirm(self, question: str) -> bool:
        """Ask the operator whether they heard or saw something."""


def _why(error: Exception) -> str:
    """Why a REST read failed, without its body (a refusal can quote what it refused)."""
    if isinstance(error, RequestException):
        return f"Twilio did not answer ({type(error).__name__})"
    # twilio-python raises a list page's failure with the HTTP response as its second argument.
    response = error.args[1] if len(error.args) > 1 else None
    status = getattr(response, "status_code", None) or getattr(error, "status", None)
    if status == 401:
        return "Twilio refused TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (401)"
    return f"Twilio answered {status}"


def twilio_client(settings: Settings) -> Client:
    """A REST client for the account in `settings` (or the simulator standing in for it)."""
    client = Client(
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        http_client=TwilioHttpClient(timeout=settings.twilio_timeout_seconds),
    )
    if settings.twilio_api_base_url != TWILIO_API_BASE_URL:
        client.api.base_url = settings.twilio_api_base_url
        client.monitor.base_url = settings.twilio_api_base_url
    return client


class TwilioCheck:
    """One run of the check on one line; `run` yields each step's finding as it is made."""

    def __init__(
        self,
        *,
        settings: Settings,
        client: Client,
        sessions: sessionmaker[Session],
        line: Line,
        operator: Operator,
        wait_seconds: float,
        handoff: bool,
    ) -> None:
        self._settings = settings
        self._client = client
        self._sessions = sessions
        self._line = line
        self._operator = operator
        self._wait_seconds = wait_seconds
        self._handoff = handoff
        # Alerts are read from this second on; Twilio keeps them in whole seconds.
        self._started_at = datetime.now(UTC).replace(microsecond=0)

    def run(self) -> Iterator[Finding]:
        """Check the settings, then walk the operator through the line; alerts come last."""
        yield self.number_settings()
        yield self.reachable()
        call = yield from self.call()
        if call is not None:
            yield self.handoff(call)
            yield self.call_ends(call)
        yield from self.text()
        yield self.alerts()

    # -- what can be read without anyone -----------------------------------------------------

    def number_settings(self) -> Finding:
        """The number's webhooks point at this app, and no TwiML App overrides them."""
        step = "number"
        try:
            found = self._client.incoming_phone_numbers.list(
                phone_number=self._line.twilio_number, limit=2
            )
        except (TwilioException, RequestException) as error:
            return Finding(
                step, Outcome.FAILED, f"could not list the account's numbers: {_why(error)}"
            )
        exact = [number for number in found if number.phone_number == self._line.twilio_number]
        if not exact:
            return Finding(
                step, Outcome.FAILED, f"this account has no number {self._line.twilio_number}"
            )
        number = exact[0]
        wrong = [
            f"{name} is {getattr(number, name) or 'empty'}, not {self._url(path)}"
            for name, path in NUMBER_SETTINGS.items()
            if getattr(number, name) != self._url(path)
        ]
        wrong += [
            f"{name} is not POST"
            for name in ("voice_method", "voice_fallback_method", "sms_method")
            if (getattr(number, name) or "POST").upper() != "POST"
        ]
        wrong += [
            f"{name} {sid} is set: Twilio uses that application's URLs instead"
            for name, sid in (
                ("voice_application_sid", number.voice_application_sid),
                ("sms_application_sid", number.sms_application_sid),
            )
            if sid
        ]
        if wrong:
            return Finding(step, Outcome.FAILED, "; ".join(wrong))
        return Finding(step, Outcome.PASSED, "every webhook URL points at this app")

    def reachable(self) -> Finding:
        """The public URL Twilio calls answers /healthz with a worker attached."""
        step = "reachable"
        url = self._url("/healthz")
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                health = json.load(response)
        except urllib.error.HTTPError as error:
            return Finding(step, Outcome.FAILED, f"{url} answered {error.code}")
        except (OSError, ValueError) as error:
            return Finding(step, Outcome.FAILED, f"{url} did not answer ({type(error).__name__})")
        if not health.get("workers"):
            return Finding(step, Outcome.FAILED, f"{url} answers but no worker is running")
        return Finding(step, Outcome.PASSED, f"{url} answers with {health['workers']} worker(s)")

    def alerts(self) -> Finding:
        """Twilio's debugger recorded no error while the check ran."""
        step = "alerts"
        try:
            alerts = self._client.monitor.v1.alerts.list(start_date=self._started_at, limit=50)
        except (TwilioException, RequestException) as error:
            return Finding(step, Outcome.FAILED, f"could not list Twilio's alerts: {_why(error)}")
        if not alerts:
            return Finding(step, Outcome.PASSED, "Twilio's debugger recorded no error")
        # The alert's own text can quote a caller's number: name only the code and the URL.
        seen = sorted({f"{alert.error_code} at {alert.request_url}" for alert in alerts})
        return Finding(step, Outcome.FAILED, "Twilio's debugger recorded " + "; ".join(seen))

    # -- what the operator does, and the line's records show --------------------------------

    def call(self) -> Iterator[Finding]:
        """Greeting and hold, then a specialist answers; return the call's contact id."""
        number = self._line.twilio_number
        self._operator.tell(
            "greeting",
            f"From a spare phone, call {number}. Listen to the greeting (and the language menu "
            "if the line has several languages) until you hear that you are in line. Stay on.",
        )
        contact = self._wait_for(Channel.VOICE, lambda contact: True)
        if contact is None:
            yield self._no_record("greeting", "no call reached the line")
            return None
        yield self._asked(
            "greeting",
            "Did you hear the greeting, then that you are in line, and no 'application error'?",
        )
        self._operator.tell(
            "answer",
            "Sign in to the dashboard as a specialist on shift on this line whose phone you "
            "hold. When that phone rings, answer it, listen to the whisper and press 1.",
        )
        if self._wait_for(Channel.VOICE, lambda c: c.id == contact.id and c.connected_at) is None:
            yield self._no_record("answer", "the call was not put through to a specialist")
            return None
        yield self._asked(
            "answer", "Do the caller's phone and the specialist's phone hear each other?"
        )
        return contact.id

    def handoff(self, contact_id: int) -> Finding:
        """Warm handoff to the line's crisis number, which must be a phone the operator holds."""
        step = "handoff"
        if not self._handoff:
            return Finding(
                step,
                Outcome.SKIPPED,
                "run with --crisis-phone-is-mine on a test line whose crisis number is yours",
            )
        self._operator.tell(
            step,
            "On the dashboard, press 'Transfer to crisis line'. The line's crisis number "
            f"({self._line.crisis_number}) rings: answer it and speak. When the three of you "
            "hear each other, press 'The counselor is on the line' on the dashboard, then hang "
            "up the specialist's phone.",
        )
        referred = self._wait_for(
            Channel.VOICE, lambda c: c.id == contact_id and c.crisis_referred_at
        )
        if referred is None:
            return self._no_record(step, "no transfer was started")
        return self._asked(
            step,
            "After the specialist hung up, do the caller and the crisis phone hear each other?",
        )

    def call_ends(self, contact_id: int) -> Finding:
        """Hanging up closes the contact, with its outcome."""
        step = "hang up"
        self._operator.tell(step, "Hang up every phone on the call.")
        ended = self._wait_for(Channel.VOICE, lambda c: c.id == contact_id and c.ended_at)
        if ended is None:
            return self._no_record(step, "the contact was not closed")
        return Finding(step, Outcome.PASSED, f"the contact closed as {ended.outcome.value}")

    def text(self) -> Iterator[Finding]:
        """A text is welcomed; STOP and START are answered once each."""
        number = self._line.twilio_number
        self._operator.tell("text", f"From the spare phone, text 'hello' to {number}.")
        if self._wait_for(Channel.SMS, lambda contact: True) is None:
            yield self._no_record("text", "no text reached the line")
            return
        yield self._asked("text", "Did the spare phone get the line's welcome reply?")
        self._operator.tell("stop", f"Text STOP to {number}.")
        yield self._asked("stop", "Did exactly one reply say the phone is unsubscribed?")
        self._operator.tell("start", f"Text START to {number}.")
        yield self._asked(
            "start",
            "Did exactly one reply say it can text again? (Close the test conversation on the "
            "dashboard afterwards.)",
        )

    # -- helpers -------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return self._settings.public_url + path

    def _asked(self, step: str, question: str) -> Finding:
        if self._operator.confirm(question):
            return Finding(step, Outcome.PASSED, "the operator confirmed it")
        return Finding(step, Outcome.FAILED, f"the operator said no to: {question}")

    def _no_record(self, step: str, what: str) -> Finding:
        return Finding(
            step,
            Outcome.FAILED,
            f"{what} within {self._wait_seconds:.0f} s; see the alerts below and the app's logs",
        )

    def _wait_for(self, channel: Channel, condition: Callable[[Contact], object]) -> Contact | None:
        """The newest contact on the line since the check began that meets `condition`."""
        deadline = time.monotonic() + self._wait_seconds
        while True:
            with self._sessions() as session:
                contacts = session.scalars(
                    select(Contact)
                    .where(
                        Contact.line_id == self._line.id,
                        Contact.channel == channel,
                        Contact.arrived_at >= self._started_at,
                    )
                    .order_by(Contact.id.desc())
                )
                for contact in contacts:
                    if condition(contact):
                        return contact
            if time.monotonic() >= deadline:
                return None
            time.sleep(POLL_SECONDS)
