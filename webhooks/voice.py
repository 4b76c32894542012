"""Voice webhooks: a call comes in, a call's status changes."""

from __future__ import annotations

from flask import Blueprint, request

from warmline import contacts
from warmline.web import db_session, runtime
from webhooks import forms, twiml
from webhooks.safety import remember_line, twiml_response

bp = Blueprint("voice", __name__, url_prefix="/voice")


@bp.post("/incoming")
def incoming():
    """Answer a new call."""
    services = runtime()
    call = forms.incoming_call(request.form, services.settings.caller_key)
    reception = contacts.receive_call(
        db_session(),
        services.redis,
        call_sid=call.call_sid,
        line_number=call.line_number,
        caller_tag=call.caller_tag,
    )
    if reception.line is None:
        return twiml_response(twiml.emergency(services.settings.crisis_number))
    remember_line(call.line_number, reception.line)
    onward = reception.line.overflow_number or reception.line.crisis_number
    return twiml_response(twiml.connect_onward(reception.line.name, onward))


@bp.post("/status")
def status():
    """Record a call's progress; repeats and late arrivals change nothing twice."""
    update = forms.call_status(request.form)
    contacts.record_call_status(
        db_session(), runtime().redis, call_sid=update.call_sid, status=update.status
    )
    return twiml_response(twiml.empty())
