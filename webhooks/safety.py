"""Whatever breaks behind a webhook, the caller still hears how to reach help."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import Forbidden, HTTPException

from warmline.contacts import LineContext
from warmline.web import runtime
from webhooks import twiml

log = logging.getLogger(__name__)
KNOWN_LINES = "webhooks.known_lines"
# How Twilio's SMS requests differ from its voice requests.
SMS_PARAMETERS = ("MessageSid", "SmsSid")
# Endpoints whose answer a caller hears or a texter reads, not a status callback.
ANSWERS_A_PERSON = frozenset(
    {"webhooks.voice.incoming", "webhooks.sms.incoming", "webhooks.fallback"}
)


def twiml_response(xml: str, status: int = 200) -> Response:
    return Response(xml, status=status, mimetype="text/xml")


def remember_line(line_number: str, line: LineContext) -> None:
    """Keep a line's numbers in this process, to dial them when the database is down."""
    current_app.extensions[KNOWN_LINES][line_number] = line


def onward_number(line_number: str) -> str:
    """Return the overflow line, else the crisis line, for a line this process has seen."""
    line = current_app.extensions[KNOWN_LINES].get(line_number)
    if line is None:
        return runtime().settings.crisis_number
    return line.overflow_number or line.crisis_number


def emergency_voice_response() -> Response:
    """Answer a call with the crisis numbers and a dial onward, using nothing that can fail."""
    try:
        dial_number = onward_number(request.form.get("To", ""))
    except Exception:
        dial_number = runtime().settings.crisis_number
    return twiml_response(twiml.emergency(dial_number))


def is_sms_request() -> bool:
    try:
        return any(name in request.form for name in SMS_PARAMETERS)
    except Exception:
        return False


def handle_webhook_error(error: Exception) -> Response | HTTPException:
    """Turn any failure in a webhook into an answer Twilio can act on."""
    if isinstance(error, Forbidden):
        return error
    if isinstance(error, HTTPException) and error.code is not None and error.code < 500:
        log.warning("webhook %s refused: %s", request.path, error.description)
        status = error.code
    else:
        log.error("webhook %s failed", request.path, exc_info=error)
        status = 500
    if request.endpoint not in ANSWERS_A_PERSON:
        # A status callback: nobody is listening, so say plainly what went wrong.
        return twiml_response(twiml.empty(), status=status)
    if request.endpoint == "webhooks.sms.incoming" or is_sms_request():
        # Twilio would send a 5xx on to the fallback URL; an empty reply sends nothing twice.
        return twiml_response(twiml.empty(), status=200 if status == 500 else status)
    # A caller must never hear Twilio's "application error": always answer with help.
    return emergency_voice_response()


def init_app(app: Flask) -> None:
    app.extensions[KNOWN_LINES] = {}
