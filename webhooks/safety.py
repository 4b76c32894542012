"""Whatever breaks behind a webhook, the caller still hears how to reach help."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import Forbidden, HTTPException

from warmline import texts, urls, wording
from warmline.lines import LineContext, context, find_line
from warmline.web import runtime
from webhooks import twiml

log = logging.getLogger(__name__)
KNOWN_LINES = "webhooks.known_lines"
# How Twilio's SMS requests differ from its voice requests.
SMS_PARAMETERS = ("MessageSid", "SmsSid")
# What a failed webhook answers: who is listening decides.
CALLER = "caller"  # a caller at a menu: crisis numbers and a dial onward
QUEUE = "queue"  # a caller on hold inside Twilio's queue, where <Dial> is not allowed
LEAVE = "leave"  # a holding caller who pressed a key: out to the exit handler, which helps
GOODBYE = "goodbye"  # a caller whose conversation has ended
SPECIALIST = "specialist"  # a specialist's phone: an apology
CALLBACK = "callback"  # a status callback: nobody listens
TEXTER = "texter"  # an incoming text: answer silently rather than send twice
# The hold loop's URLs, by what their failure answers; Twilio's fallback request names the URL.
HOLD_LOOP = {urlsplit(urls.wait(0, 0)).path: QUEUE, urlsplit(urls.wait_key(0, 0)).path: LEAVE}


def fallback(kind: str) -> Callable:
    """Mark what a view's failure should answer (callers at a menu are the default)."""

    def mark(view: Callable) -> Callable:
        view.webhook_fallback = kind  # type: ignore[attr-defined]
        return view

    return mark


def twiml_response(xml: str, status: int = 200) -> Response:
    return Response(xml, status=status, mimetype="text/xml")


def remember_line(line_number: str, line: LineContext) -> None:
    """Keep a line's numbers in this process, to dial them when the database is down."""
    current_app.extensions[KNOWN_LINES][line_number] = line


def onward_number(line_number: str) -> str:
    """Return the line's overflow number, else its crisis number, else the Lifeline.

    Asks the database on a fresh session when this process has not seen the line yet, and
    falls back to the configured crisis number when that fails too.
    """
    known = current_app.extensions[KNOWN_LINES]
    if line_number not in known:
        try:
            with runtime().sessions() as session:
                line = find_line(session, line_number)
                if line is not None:
                    remember_line(line_number, context(line))
        except Exception:
            log.warning("no line details for a caller in trouble; dialling the crisis line")
    line = known.get(line_number)
    return line.onward_number if line else runtime().settings.crisis_number


def emergency_voice_response() -> Response:
    """Answer a call with the crisis numbers and a dial onward, using nothing that can fail."""
    try:
        dial_number = onward_number(request.form.get("To", ""))
    except Exception:
        dial_number = runtime().settings.crisis_number
    return twiml_response(twiml.emergency(dial_number))


def _hold_on(wait_url: str) -> Response:
    """Keep a caller on hold, their keys still going to the hold loop's key URL."""
    query = parse_qs(urlsplit(wait_url).query)
    ids = [query.get(name, ["0"])[0] for name in ("line", "contact")]
    line, contact = (int(value) if value.isdigit() else 0 for value in ids)
    return twiml_response(twiml.hold_on(urls.wait_key(line, contact)))


def failed_hold_loop_response() -> Response | None:
    """Answer Twilio's fallback request for a failed hold-loop URL with TwiML valid on hold."""
    error_url = request.form.get("ErrorUrl", "")
    kind = HOLD_LOOP.get(urlsplit(error_url).path)
    if kind == QUEUE:
        return _hold_on(error_url)
    if kind == LEAVE:
        return twiml_response(twiml.leave_queue())
    return None


def is_sms_request() -> bool:
    try:
        return any(name in request.form for name in SMS_PARAMETERS)
    except Exception:
        return False


def _opting_out() -> bool:
    try:
        return texts.keyword(request.form.get("Body", "")) in texts.STOP_WORDS
    except Exception:
        return False


def _fallback_kind() -> str:
    view = current_app.view_functions.get(request.endpoint or "")
    kind = getattr(view, "webhook_fallback", None)
    if kind is not None:
        return kind
    return TEXTER if is_sms_request() else CALLER


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
    kind = _fallback_kind()
    if kind == CALLBACK:
        return twiml_response(twiml.empty(), status=status)
    if kind == TEXTER:
        if status != 500 or _opting_out():
            return twiml_response(twiml.empty(), status=status if status != 500 else 200)
        # The text may be lost: the texter still learns how to reach help, and to try again.
        return twiml_response(twiml.message(wording.fallback("trouble")))
    if kind == QUEUE:
        # Twilio asks the wait URL again after this; a passing fault costs a pause, not a place.
        return _hold_on(request.full_path)
    if kind == LEAVE:
        return twiml_response(twiml.leave_queue())
    if kind == GOODBYE:
        contact = request.args.get("contact", "")
        crisis_url = urls.crisis(int(contact) if contact.isdigit() else 0)
        return twiml_response(twiml.goodbye("en", crisis_url))
    if kind == SPECIALIST:
        return twiml_response(twiml.offer_failed())
    # A caller must never hear Twilio's "application error": always answer with help.
    return emergency_voice_response()


def init_app(app: Flask) -> None:
    app.extensions[KNOWN_LINES] = {}
