"""Call the app's webhooks as Twilio does: signed requests, its parameters, its error handling."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from email.utils import formatdate
from urllib.parse import urlencode

import requests
from twilio.request_validator import RequestValidator

from warmline.simulator import documents
from warmline.simulator.clock import Clock
from warmline.simulator.directory import Directory, Line
from warmline.simulator.documents import Document, TwimlError
from warmline.simulator.state import API_VERSION, APPLICATION_ERROR, Call, Text

log = logging.getLogger(__name__)

WEBHOOK_TIMEOUT_SECONDS = 15
# Twilio's phone-number lookup adds these to every request; they are a caller's details.
CALLER_PLACE = {"City": "SAN FRANCISCO", "State": "CA", "Zip": "94103", "Country": "US"}
LINE_PLACE = {"City": "LITTLE ROCK", "State": "AR", "Zip": "72201", "Country": "US"}


@dataclass(frozen=True)
class Alert:
    """One error as Twilio's debugger (the Monitor API's Alerts) keeps it, at wall-clock time."""

    resource_sid: str
    code: int
    url: str
    at: float


class WebhookClient:
    """Sends the app what Twilio sends, and records what Twilio's debugger would show."""

    def __init__(
        self, *, auth_token: str, clock: Clock, directory: Directory, http: requests.Session
    ) -> None:
        self.errors: list[tuple[str, int, str]] = []
        self.alerts: list[Alert] = []
        self._signer = RequestValidator(auth_token)
        self._clock = clock
        self._directory = directory
        self._http = http

    def send(
        self, url: str, params: dict[str, str], method: str = "POST"
    ) -> requests.Response | None:
        """Send a signed request as Twilio does; return None when it could not be delivered."""
        method = method.upper()
        if method == "GET":
            separator = "&" if "?" in url else "?"
            url = f"{url}{separator}{urlencode(params)}" if params else url
            signature = self._signer.compute_signature(url, {})
            data = None
        else:
            signature = self._signer.compute_signature(url, params)
            data = params
        headers = {"X-Twilio-Signature": signature, "User-Agent": "TwilioProxy/1.1"}
        try:
            return self._http.request(
                method, url, data=data, headers=headers, timeout=WEBHOOK_TIMEOUT_SECONDS
            )
        except requests.RequestException as error:
            log.warning("simulator could not reach %s: %s", url, type(error).__name__)
            return None

    def fetch(
        self,
        call: Call,
        url: str,
        method: str = "POST",
        extra: dict[str, str] | None = None,
    ) -> Document | None:
        """Fetch TwiML for a call; on failure try the fallback URL, then play the error."""
        params = {**self.call_params(call), **(extra or {})}
        try:
            return self.fetch_document(url, method, params)
        except TwimlError as error:
            self._log_error(call, error.code, url)
            if call.fallback_url and url != call.fallback_url:
                fallback = {**params, "ErrorCode": str(error.code), "ErrorUrl": url}
                try:
                    return self.fetch_document(call.fallback_url, "POST", fallback)
                except TwimlError as second:
                    self._log_error(call, second.code, call.fallback_url)
            self._directory.hear(call, APPLICATION_ERROR)
            return None

    def fetch_document(
        self, url: str, method: str, params: dict[str, str], *, messaging: bool = False
    ) -> Document:
        """Fetch and parse one TwiML document, raising TwimlError as Twilio reports it."""
        response = self.send(url, params, method)
        if response is None:
            raise TwimlError(11205, "HTTP connection failure")
        if not 200 <= response.status_code < 300:
            raise TwimlError(11200, f"HTTP retrieval failure: status {response.status_code}")
        return documents.parse(
            url, response.content, response.headers.get("Content-Type", ""), messaging=messaging
        )

    def fetch_text_reply(self, text: Text, line: Line, params: dict[str, str]) -> Document | None:
        """Fetch a messaging webhook's answer to a text; on failure try the fallback URL."""
        try:
            return self.fetch_document(line.sms_url, "POST", params, messaging=True)
        except TwimlError as error:
            self._debugger(text.sid, error.code, line.sms_url)
            fallback = {**params, "ErrorCode": str(error.code), "ErrorUrl": line.sms_url}
        try:
            return self.fetch_document(line.fallback_url, "POST", fallback, messaging=True)
        except TwimlError as error:
            self._debugger(text.sid, error.code, line.fallback_url)
            return None

    def record_error(self, call: Call, code: int, url: str) -> None:
        """Note an error on a call, as Twilio's debugger shows it."""
        call.errors.append((code, url))
        self._debugger(call.sid, code, url)

    def _debugger(self, sid: str, code: int, url: str) -> None:
        self.errors.append((sid, code, url))
        self.alerts.append(Alert(sid, code, url, at=time.time()))

    def _log_error(self, call: Call, code: int, url: str) -> None:
        log.warning("simulator: call %s got error %s from %s", call.sid, code, url)
        self.record_error(call, code, url)

    def call_params(self, call: Call) -> dict[str, str]:
        """Return the parameters Twilio sends with every request about a call."""
        caller, called = (
            (CALLER_PLACE, LINE_PLACE)
            if call.direction == "inbound"
            else (LINE_PLACE, CALLER_PLACE)
        )
        params = {
            "CallSid": call.sid,
            "AccountSid": call.account_sid,
            "From": call.sender,
            "To": call.recipient,
            "Caller": call.sender,
            "Called": call.recipient,
            "CallStatus": call.status,
            "Direction": call.direction,
            "ApiVersion": API_VERSION,
        }
        for name, value in caller.items():
            params[f"From{name}"] = params[f"Caller{name}"] = value
        for name, value in called.items():
            params[f"To{name}"] = params[f"Called{name}"] = value
        if call.parent_sid:
            params["ParentCallSid"] = call.parent_sid
        return params

    def status_callback(self, call: Call, event: str) -> None:
        """Tell the status callback URL about a call-progress event it asked for."""
        if not call.status_callback or event not in call.status_callback_events:
            return
        params = self.call_params(call)
        params.update(
            {
                "CallbackSource": "call-progress-events",
                "SequenceNumber": str(call.sequence),
                "Timestamp": formatdate(usegmt=True),
            }
        )
        if call.ended:
            duration = call.duration(self._clock.now())
            params["CallDuration"] = str(duration)
            params["Duration"] = str((duration + 59) // 60)
        call.sequence += 1
        self.send(call.status_callback, params, "POST")
