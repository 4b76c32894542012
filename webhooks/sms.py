"""Messaging webhooks: a text comes in, a sent text's status changes."""

from __future__ import annotations

from flask import Blueprint, request

from warmline import texts
from warmline.web import db_session, runtime
from webhooks import forms, twiml
from webhooks.safety import CALLBACK, TEXTER, fallback, twiml_response

bp = Blueprint("sms", __name__, url_prefix="/sms")


@bp.post("/incoming")
@fallback(TEXTER)
def incoming():
    """Answer a text once: a retried webhook must not send the reply twice."""
    services = runtime()
    text = forms.incoming_text(request.form, services.settings.caller_key)
    reception = texts.receive_text(
        db_session(), services.redis, message_sid=text.message_sid, line_number=text.line_number
    )
    if reception.duplicate:
        return twiml_response(twiml.empty())
    name = reception.line.name if reception.line else "the warm line"
    return twiml_response(twiml.message(twiml.SMS_WELCOME.format(name=name)))


@bp.post("/status")
@fallback(CALLBACK)
def status():
    """Accept a delivery report for a text we sent."""
    forms.text_status(request.form)
    return twiml_response(twiml.empty())
