"""The one gateway to Twilio's REST API (or a Twilio-compatible one).

Only workers call it: a webhook never waits on the network. It implements the domain's
`Gateway` port and turns the twilio library's and requests' errors into the port's.
"""

from __future__ import annotations

import functools
import logging

from requests import RequestException
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from config.settings import Settings
from warmline.gateway import Participant, TwilioRefused, TwilioUnreachable

CALL_PROGRESS_EVENTS = ["initiated", "ringing", "answered", "completed"]


def _dialling(to: str, from_: str, status_callback: str, timeout_seconds: int) -> dict:
    """Return how every outgoing call is placed: with its progress reported to us."""
    return {
        "to": to,
        "from_": from_,
        "status_callback": status_callback,
        "status_callback_event": CALL_PROGRESS_EVENTS,
        "timeout": timeout_seconds,
    }


def _translated(method):
    """Raise the domain's exceptions for Twilio's refusals and for network failures."""

    @functools.wraps(method)
    def call(*args, **kwargs):
        # Twilio's messages quote the numbers they refused: no cause is chained, so none reaches
        # a log line or the failed-job record RQ keeps in Redis.
        try:
            return method(*args, **kwargs)
        except TwilioRestException as error:
            raise TwilioRefused(error.status, error.code) from None
        except RequestException as error:
            raise TwilioUnreachable(str(error)) from None

    return call


class TwilioGateway:
    """Intention-revealing calls to Twilio, built once per process."""

    def __init__(self, settings: Settings) -> None:
        # The twilio library logs every request's parameters (numbers, message bodies) at INFO.
        http_logger = logging.getLogger("warmline.telephony.http")
        http_logger.setLevel(logging.WARNING)
        http_client = TwilioHttpClient(timeout=settings.twilio_timeout_seconds, logger=http_logger)
        self._client = Client(
            settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client
        )
        self._client.api.base_url = settings.twilio_api_base_url

    @_translated
    def ring_specialist(
        self, *, to: str, from_: str, url: str, status_callback: str, timeout_seconds: int
    ) -> str:
        """Ring a specialist's phone; `url` is the whisper TwiML. Return the new call's SID."""
        call = self._client.calls.create(
            url=url, **_dialling(to, from_, status_callback, timeout_seconds)
        )
        return call.sid

    @_translated
    def call_back(
        self, *, to: str, from_: str, url: str, status_callback: str, timeout_seconds: int
    ) -> str:
        """Call a caller back from the line's number; `url` says who calls. Return the SID.

        From is the line's own Twilio number, so the person sees the number they called.
        Machine detection tells `url` whether a voicemail box answered (AnsweredBy).
        """
        call = self._client.calls.create(
            url=url,
            machine_detection="Enable",
            **_dialling(to, from_, status_callback, timeout_seconds),
        )
        return call.sid

    @_translated
    def redirect_call(self, call_sid: str, url: str, *, fallback_url: str) -> None:
        """Send a live call to new TwiML, and to `fallback_url` should that TwiML fail."""
        self._client.calls(call_sid).update(
            url=url, method="POST", fallback_url=fallback_url, fallback_method="POST"
        )

    @_translated
    def call_status(self, call_sid: str) -> str:
        """Ask Twilio how a call stands (queued, ringing, in-progress, completed...)."""
        return self._client.calls(call_sid).fetch().status

    @_translated
    def hang_up(self, call_sid: str) -> None:
        """End a call, ringing or connected."""
        self._client.calls(call_sid).update(status="completed")

    @_translated
    def add_conference_participant(
        self,
        *,
        conference: str,
        to: str,
        from_: str,
        status_callback: str,
        timeout_seconds: int,
    ) -> str:
        """Dial `to` into the named conference (warm handoff, dashboard accept); return call SID."""
        participant = self._client.conferences(conference).participants.create(
            end_conference_on_exit=False,
            early_media=True,
            **_dialling(to, from_, status_callback, timeout_seconds),
        )
        return participant.call_sid

    @_translated
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
        """Dial a supervisor into the conference without a beep: muted, or coaching one call."""
        coaching = {"coaching": True, "call_sid_to_coach": coach_call_sid} if coach_call_sid else {}
        participant = self._client.conferences(conference).participants.create(
            end_conference_on_exit=False,
            early_media=False,
            beep="false",
            muted=muted,
            **coaching,
            **_dialling(to, from_, status_callback, timeout_seconds),
        )
        return Participant(participant.call_sid, participant.conference_sid)

    @_translated
    def change_supervisor(
        self, *, conference_sid: str, call_sid: str, muted: bool, coach_call_sid: str | None
    ) -> None:
        """Mute a supervisor, let them coach one call, or let everyone in the call hear them."""
        coaching = (
            {"coaching": True, "call_sid_to_coach": coach_call_sid}
            if coach_call_sid
            else {"coaching": False}
        )
        self._client.conferences(conference_sid).participants(call_sid).update(
            muted=muted, **coaching
        )

    @_translated
    def send_text(self, *, to: str, from_: str, body: str, status_callback: str) -> str:
        """Send one SMS from the line's number; return the message SID."""
        message = self._client.messages.create(
            to=to, from_=from_, body=body, status_callback=status_callback
        )
        return message.sid
